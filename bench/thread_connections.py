"""The write discipline PocketMind did not choose, kept here to be measured against.

``ThreadConnections`` gives each thread its own SQLite connection and leaves writers to
SQLite's own locking: ``BEGIN IMMEDIATE`` waits in SQLite's busy handler (up to
``busy_timeout``) instead of on one Python lock, and readers read their own WAL snapshot
without waiting for anyone. The store's lock still guards its in-RAM vector index and
its duplicate checks, as it must whichever discipline runs underneath.

Given its best case here: ``data_version()`` never reports a change, so the index is not
reloaded after every other thread's commit (each connection sees the others' commits as
another connection's); a real version would need another way to notice writes from other
processes.

``main()`` runs ``pocketmind.cli`` with this discipline installed: ``bench/daemon.py``
starts the daemon through it.
"""

from __future__ import annotations

import runpy
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pocketmind.db import Connection, Database, Result, connect, transaction


class ThreadConnections(Database):
    def __init__(self, conn: Connection, path: Path | str = ":memory:") -> None:
        self._local = threading.local()
        self._opened: list[Connection] = []
        self._opening = threading.Lock()
        super().__init__(conn, path)

    @property  # type: ignore[override]
    def conn(self) -> Connection:
        if getattr(self._local, "conn", None) is None:
            self.conn = connect(self.path)
        return self._local.conn

    @conn.setter
    def conn(self, value: Connection) -> None:
        self._local.conn = value
        with self._opening:
            self._opened.append(value)

    @property  # type: ignore[override]
    def _depth(self) -> int:
        return int(getattr(self._local, "depth", 0))

    @_depth.setter
    def _depth(self, value: int) -> None:
        self._local.depth = value

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        with self._storage_errors():
            self._depth += 1
            try:
                if self._depth == 1:
                    with transaction(self.conn):
                        yield self
                else:
                    yield from self._savepoint()
            finally:
                self._depth -= 1

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self._storage_errors():
            yield self.conn

    def execute(self, sql: str, args: Any = ()) -> Result:
        with self._storage_errors():
            return Result(self.conn.execute(sql, args))

    def executemany(self, sql: str, rows: Any) -> Result:
        with self._storage_errors():
            return Result(self.conn.executemany(sql, rows))

    def data_version(self) -> int:
        return 0

    def close(self) -> None:
        with self._opening:
            for conn in self._opened:
                conn.close()
            self._opened.clear()


def install() -> None:
    from pocketmind.memory import store

    store.Database = ThreadConnections  # type: ignore[misc]


def main() -> None:
    """argv: [..., "-m", "pocketmind.cli", "up", ...], as DaemonProcess passes them."""
    install()
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def interpreter(folder: Path) -> str:
    """An executable that DaemonProcess can use as its ``python``: this discipline's."""
    here = Path(__file__).resolve().parent
    script = folder / "python-thread-connections"
    script.write_text(
        f'#!/bin/sh\nexec {sys.executable} -c \'import sys; sys.path.append("{here}"); '
        f'import thread_connections; thread_connections.main()\' "$@"\n'
    )
    script.chmod(0o700)
    return str(script)
