"""The PocketMind home is its owner's alone: the folder 0700, every file in it 0600.

Three layers, so that no umask (022 on most desktops, 002 on some) and no older install
leaves a file others can read:

- :func:`private_umask` at the entry points (the CLI, the daemon): whatever the process
  creates from then on is its owner's only;
- :func:`private_db` before SQLite opens the database: the file is created (or tightened
  to) 0600 first, and SQLite gives its ``-wal`` and ``-shm`` the main file's mode;
- :func:`secure_home` at start: a home made by an older version, or a ``config.toml``
  copied in, is tightened (group and other bits removed; the owner's kept).

``pocketmind doctor`` reports what is still open with :func:`exposed` and does not fix it
itself: it is a check.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

PRIVATE_UMASK = 0o077
OTHERS = 0o077  # the group's and everyone else's bits


def private_umask() -> int:
    """Add 077 to the process umask; returns the old one (for ``os.umask(old)``)."""
    old = os.umask(PRIVATE_UMASK)
    os.umask(old | PRIVATE_UMASK)
    return old


def private_dir(path: Path) -> Path:
    """``path`` (and missing parents) created, and the folder itself made 0700."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _tighten(path: Path) -> bool:
    """Remove the group and other bits of ``path`` (not following a link); True if any
    were set. A file someone else owns is left for ``doctor`` to report."""
    try:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode) or not mode & OTHERS:
            return False
        path.chmod(stat.S_IMODE(mode) & ~OTHERS)
    except (FileNotFoundError, PermissionError):
        return False
    return True


def private_db(path: Path) -> None:
    """Before SQLite opens ``path``: its folder exists (made 0700 when it did not), the
    file exists and is 0600, and a ``-wal``, ``-shm`` or ``-journal`` left is tightened.
    SQLite creates the WAL and shared-memory files with the main file's mode."""
    if not path.parent.exists():
        private_dir(path.parent)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
    except OSError:
        return  # SQLite will say why it cannot open it
    os.close(fd)
    for part in (path, *(Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal"))):
        _tighten(part)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a file only its owner can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        with contextlib.suppress(PermissionError):  # a shared-storage folder: not ours
            os.fchmod(fh.fileno(), 0o600)
        fh.write(data)


# PocketMind's own entries: all that is touched when the home is set to a folder that
# holds other things too (the user's own home directory, a filesystem root).
OWN = ("pocketmind.db", "config.toml", "run", "logs", "models", "exports", "adapters")


def _walk(home: Path) -> Iterator[Path]:
    yield home
    tops: list[Path] = []
    with contextlib.suppress(OSError):
        tops = sorted(home.iterdir())
    if home.resolve() == Path.home().resolve() or home.parent == home:
        tops = [p for p in tops if p.name.split("-")[0] in OWN]
    for top in tops:
        yield top
        if top.is_dir() and not top.is_symlink():
            for root, dirs, files in os.walk(top, followlinks=False):
                for name in (*dirs, *files):
                    yield Path(root, name)


def secure_home(home: Path) -> list[Path]:
    """Create ``home`` 0700, tighten everything in it; returns what was tightened."""
    if not home.exists():
        private_dir(home)
        return []
    return [p for p in _walk(home) if _tighten(p)]


def exposed(home: Path) -> list[Path]:
    """What in ``home`` (``home`` included) its group or others can read, write or enter."""
    if not home.exists():
        return []
    found = []
    for path in _walk(home):
        with contextlib.suppress(FileNotFoundError):
            mode = path.lstat().st_mode
            if not stat.S_ISLNK(mode) and mode & OTHERS:
                found.append(path)
    return found


__all__ = [
    "exposed",
    "private_db",
    "private_dir",
    "private_umask",
    "secure_home",
    "write_private",
]
