"""A damaged database: check it, and copy what can still be read into a new file.

:func:`integrity` runs ``PRAGMA integrity_check``. :func:`recover` works on a copy of
the damaged file and its WAL, so the damaged one is never touched:

1. rows: SQLite's own ``.recover`` when a ``sqlite3`` command that can run it is
   installed (it reads every page, linked or not, and puts orphaned rows into
   ``lost_and_found``); otherwise, or when it fails, table by table in Python, stepping
   over the rowids that cannot be read;
2. the tables are created from the damaged file's own schema; the full-text index is
   rebuilt from the recovered memories and their vectors are copied where they can be
   read (any missing: ``pocketmind memory reindex``);
3. references to rows that were lost are cleared, or the row dropped where the
   reference is required; the new file must pass ``integrity_check``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..db import Connection, StorageError, connect

_DAMAGE = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_BATCH = 256
_STEP_LIMIT = 100_000  # rowids tried one by one past a damaged stretch with no known end
# Virtual tables rebuilt from the recovered rows: (source table, its id, its columns).
_FULLTEXT = {"memories_fts": ("memories", "id", ("text",))}
_VECTORS = {"memories_vec": ("memories", "id")}


def is_damage(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite saying the file is damaged or not a database at all."""
    if not any(cls.__name__ == "DatabaseError" for cls in type(exc).__mro__):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _DAMAGE:
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def damage_message(path: Path, exc: BaseException) -> str:
    return (
        f"{path}: the database is damaged ({exc}); `pocketmind doctor` checks it, and "
        "`pocketmind memory recover` copies what can still be read into a new file "
        "(the damaged one is kept)"
    )


def integrity(path: Path, limit: int = 10) -> list[str]:
    """``PRAGMA integrity_check``'s lines for ``path``: ``["ok"]`` when it is sound."""
    try:
        conn = connect(path)
        try:
            return [str(row[0]) for row in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
        finally:
            conn.close()
    except Exception as exc:
        if is_damage(exc):
            return [str(exc)]
        raise


@dataclass
class Recovery:
    out: Path
    method: str
    rows: dict[str, int] = field(default_factory=dict)
    # per table, the rowid ranges that could not be read: what rows they held is lost
    unreadable: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # rows the schema would not take
    dropped: dict[str, int] = field(default_factory=dict)  # required reference lost
    cleared: int = 0  # optional references to lost rows, set to NULL
    vectors: int = 0
    missing_vectors: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"recovered into {self.out} ({self.method})"]
        for table, count in self.rows.items():
            gaps = self.unreadable.get(table, [])
            extra = [f"no row readable with ids {_ranges(gaps)}"] if gaps else []
            extra += [
                f"{n} {what}"
                for n, what in (
                    (self.refused.get(table, 0), "rows refused by the schema"),
                    (self.dropped.get(table, 0), "rows dropped (what they belong to was lost)"),
                )
                if n
            ]
            if count or extra:
                out.append(f"  {table}: {count} rows" + (f"; {'; '.join(extra)}" if extra else ""))
        if self.cleared:
            out.append(f"  {self.cleared} references to lost rows cleared")
        out.append(f"  vectors: {self.vectors} copied, {self.missing_vectors} missing")
        out += [f"  {note}" for note in self.notes]
        return out


def _ranges(gaps: list[tuple[int, int]], shown: int = 4) -> str:
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in gaps[:shown])
    return text + (f" and {len(gaps) - shown} more stretches" if len(gaps) > shown else "")


def recover(damaged: Path, out: Path, *, use_cli: bool = True) -> Recovery:
    """Copy what can be read of ``damaged`` into ``out`` (a new file)."""
    if out.exists():
        raise StorageError(f"{out} already exists: choose another file")
    if not damaged.is_file():
        raise StorageError(f"{damaged}: no such database")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".recover-") as tmp:
        copy = Path(tmp) / "damaged.db"
        shutil.copyfile(damaged, copy)
        wal = damaged.with_name(damaged.name + "-wal")
        if wal.is_file():  # committed work not yet in the main file
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        source, method, notes = copy, "row by row", []
        sqlite3 = shutil.which("sqlite3") if use_cli else None
        if sqlite3:
            try:
                source = _cli_recover(sqlite3, copy, Path(tmp) / "recovered.db")
                method = "sqlite3 .recover"
            except StorageError as exc:
                notes.append(f"sqlite3 .recover did not work here ({exc}); read row by row")
        partial = Path(tmp) / "new.db"
        report = Recovery(out, method, notes=notes)
        _rebuild(source, copy, partial, report)
        for suffix in ("-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        os.chmod(partial, 0o600)
        os.replace(partial, out)
    return report


def _cli_recover(sqlite3: str, damaged: Path, target: Path) -> Path:
    dump = subprocess.run([sqlite3, str(damaged), ".recover"], capture_output=True, check=False)
    if dump.returncode != 0:
        raise StorageError(dump.stderr.decode(errors="replace").strip()[:200] or "failed")
    load = subprocess.run(
        [sqlite3, str(target)], input=dump.stdout, capture_output=True, check=False
    )
    if load.returncode != 0:
        raise StorageError(load.stderr.decode(errors="replace").strip()[:200] or "failed")
    return target


def _rebuild(source: Path, damaged: Path, target: Path, report: Recovery) -> None:
    src, dst = connect(source), connect(target)
    try:
        try:
            schema = src.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
            ).fetchall()
        except Exception as exc:
            if not is_damage(exc):
                raise
            raise StorageError(
                f"the schema itself cannot be read ({exc}); nothing can be recovered row by "
                "row: a sqlite3 command whose .recover works may still find rows"
            ) from exc
        dst.execute("PRAGMA foreign_keys = OFF")
        dst.execute("BEGIN")
        tables = _create_tables(dst, schema, report)
        for name in tables:
            _copy_rows(src, dst, name, report)
        for kind, name, sql in schema:
            if kind in ("index", "trigger", "view") and not name.startswith("sqlite_"):
                try:
                    dst.execute(sql)
                except Exception as exc:
                    report.notes.append(f"{kind} {name} not created: {exc}")
        _fix_references(dst, tables, report)
        virtual = {name for kind, name, sql in schema if _is_virtual(kind, sql)}
        _fill_virtual(src, dst, virtual, report, damaged if damaged != source else None)
        dst.execute("COMMIT")
        dst.execute("PRAGMA foreign_keys = ON")
        problems = [str(row[0]) for row in dst.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise StorageError(f"the recovered copy is not sound either: {problems}")
    finally:
        src.close()
        dst.close()


def _is_virtual(kind: str, sql: str) -> bool:
    return kind == "table" and sql.lstrip().upper().startswith("CREATE VIRTUAL TABLE")


def _create_tables(dst: Connection, schema: list[Any], report: Recovery) -> list[str]:
    """Create the virtual tables (and so their shadow tables), then the ordinary ones;
    return the ordinary tables whose rows are to be copied."""
    for kind, name, sql in schema:
        if _is_virtual(kind, sql):
            try:
                dst.execute(sql)
            except Exception as exc:
                report.notes.append(f"virtual table {name} not created: {exc}")
    existing = {row[0] for row in dst.execute("SELECT name FROM sqlite_master")}
    tables = []
    for kind, name, sql in schema:
        if kind != "table" or name in existing or name.startswith("sqlite_"):
            continue
        dst.execute(sql)
        tables.append(name)
    return tables


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_rows(src: Connection, dst: Connection, table: str, report: Recovery) -> None:
    columns = [row[1] for row in dst.execute(f"PRAGMA table_info({_quote(table)})")]
    names = ", ".join(_quote(c) for c in columns)
    marks = ", ".join("?" * (len(columns) + 1))
    insert = f"INSERT INTO {_quote(table)} (rowid, {names}) VALUES ({marks})"
    copied = refused = 0
    for batch in _readable_rows(src, table, names, report):
        try:
            dst.execute("SAVEPOINT batch")
            dst.executemany(insert, batch)
            dst.execute("RELEASE batch")
            copied += len(batch)
        except Exception:
            dst.execute("ROLLBACK TO batch")
            dst.execute("RELEASE batch")
            for row in batch:  # one at a time: only the rows the schema refuses stay out
                try:
                    dst.execute(insert, row)
                    copied += 1
                except Exception:
                    refused += 1
    report.rows[table] = copied
    if refused:
        report.refused[table] = refused


def _readable_rows(
    src: Connection, table: str, names: str, report: Recovery
) -> Iterator[list[tuple[Any, ...]]]:
    """Batches of ``(rowid, *columns)`` in rowid order. A batch that cannot be read is
    retried one rowid at a time, until a readable row shows where the damage ends."""
    scan = f"SELECT rowid, {names} FROM {_quote(table)} WHERE rowid > ? ORDER BY rowid LIMIT ?"
    point = f"SELECT rowid, {names} FROM {_quote(table)} WHERE rowid = ?"
    try:
        top = src.execute(f"SELECT max(rowid) FROM {_quote(table)}").fetchone()[0]
    except Exception as exc:
        if not is_damage(exc):
            raise
        top = None
    last = -(2**63)
    while True:
        try:
            batch = [tuple(row) for row in src.execute(scan, (last, _BATCH)).fetchall()]
        except Exception as exc:
            if not is_damage(exc):
                raise
        else:
            if not batch:
                return
            yield batch
            last = batch[-1][0]
            continue
        start = max(last, 0) + 1
        end = top if top is not None and top >= start else start + _STEP_LIMIT
        found = None
        for rowid in range(start, end + 1):
            try:
                found = src.execute(point, (rowid,)).fetchone()
            except Exception as exc:
                if not is_damage(exc):
                    raise
                continue
            if found is not None:
                break
        gaps = report.unreadable.setdefault(table, [])
        gap_end = found[0] - 1 if found is not None else end
        if gap_end < start:
            pass  # read one by one at once: nothing lost here
        elif gaps and gaps[-1][1] >= start - 1:  # the same stretch, seen again
            gaps[-1] = (gaps[-1][0], max(gaps[-1][1], gap_end))
        else:
            gaps.append((start, gap_end))
        if found is None:
            return
        yield [tuple(found)]
        last = found[0]


def _fix_references(dst: Connection, tables: list[str], report: Recovery) -> None:
    """Clear (or, where required, drop) what points at rows that were lost."""
    for _ in range(10):  # dropping a row can orphan its own children: a few rounds
        violations = dst.execute("PRAGMA foreign_key_check").fetchall()
        if not violations:
            return
        for table, rowid, _parent, fkid in violations:
            if rowid is None or table not in tables:
                continue
            keys = [row for row in dst.execute(f"PRAGMA foreign_key_list({_quote(table)})")]
            columns = [row[3] for row in keys if row[0] == fkid]
            info = {row[1]: row[3] for row in dst.execute(f"PRAGMA table_info({_quote(table)})")}
            if all(not info.get(c) for c in columns):
                sets = ", ".join(f"{_quote(c)} = NULL" for c in columns)
                dst.execute(f"UPDATE {_quote(table)} SET {sets} WHERE rowid = ?", (rowid,))
                report.cleared += 1
            else:
                dst.execute(f"DELETE FROM {_quote(table)} WHERE rowid = ?", (rowid,))
                report.dropped[table] = report.dropped.get(table, 0) + 1
                report.rows[table] = report.rows.get(table, 0) - 1


def _fill_virtual(
    src: Connection, dst: Connection, virtual: set[str], report: Recovery, fallback: Path | None
) -> None:
    for name in sorted(virtual):
        if name in _FULLTEXT:
            table, key, columns = _FULLTEXT[name]
            _fts_settings(src, dst, name)
            cols = ", ".join(columns)
            dst.execute(
                f"INSERT INTO {_quote(name)} (rowid, {cols}) SELECT {key}, {cols} FROM {table}"
            )
        elif name in _VECTORS:
            table, key = _VECTORS[name]
            ids = [row[0] for row in dst.execute(f"SELECT {key} FROM {table} ORDER BY {key}")]
            missing = _vectors_into(src, dst, name, ids, report)
            if missing and fallback is not None:  # .recover may have lost what vec0 can read
                other = connect(fallback)
                try:
                    missing = _vectors_into(other, dst, name, missing, report)
                finally:
                    other.close()
            report.missing_vectors = len(missing)
            if missing:
                report.notes.append(
                    f"{len(missing)} memories have no vector: run `pocketmind memory reindex` "
                    "once the recovered file is in place"
                )
        else:
            report.notes.append(f"virtual table {name}: left empty (not known how to rebuild)")


def _fts_settings(src: Connection, dst: Connection, name: str) -> None:
    """The full-text index's own settings (``secure-delete``…), as the damaged file had them."""
    try:
        rows = src.execute(f"SELECT k, v FROM {_quote(name + '_config')}").fetchall()
    except Exception:
        return
    for key, value in rows:
        if key != "version":
            dst.execute(
                f"INSERT INTO {_quote(name)} ({_quote(name)}, rank) VALUES (?, ?)", (key, value)
            )


def _vectors_into(
    src: Connection, dst: Connection, name: str, ids: list[int], report: Recovery
) -> list[int]:
    missing = []
    for memory_id in ids:
        try:
            row = src.execute(
                f"SELECT embedding FROM {_quote(name)} WHERE rowid = ?", (memory_id,)
            ).fetchone()
        except Exception:
            row = None
        if row is None:
            missing.append(memory_id)
            continue
        dst.execute(
            f"INSERT INTO {_quote(name)} (rowid, embedding) VALUES (?, ?)", (memory_id, row[0])
        )
        report.vectors += 1
    return missing
