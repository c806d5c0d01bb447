"""Text and Markdown files in watched folders, as chunked memories.

watchdog reports changes; a changed file replaces all of its chunks, a deleted (or
moved-away) file forgets them. On Termux watchdog would fall back to polling, so the
inotify observer is chosen explicitly there. At start, every file is checked against
the modification time stored with its chunks, so edits made while the daemon was down
are picked up.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from ..host import wants_inotify
from ..memory import MemoryStore, NewMemory
from ..redact import redact

log = logging.getLogger(__name__)
SUFFIXES = {".txt", ".md", ".markdown", ".org", ".rst"}
MAX_BYTES = 1024 * 1024
CHUNK_CHARS = 1200


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Paragraph-aligned chunks of at most ``size`` characters (a longer paragraph is cut)."""
    out: list[str] = []
    current = ""
    for paragraph in (p.strip() for p in text.split("\n\n")):
        if not paragraph:
            continue
        while len(paragraph) > size:
            out.append(paragraph[:size])
            paragraph = paragraph[size:]
        if current and len(current) + len(paragraph) + 2 > size:
            out.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        out.append(current)
    return out


class FileIndex:
    """The memories of each watched file, kept in step with the file."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def chunk_ids(self, path: Path) -> list[int]:
        return self.store.lookup.file_chunks(str(path))

    def indexed_mtime(self, path: Path) -> float | None:
        return self.store.lookup.file_mtime(str(path))

    def update(self, path: Path) -> int:
        """(Re)index ``path``; returns the number of chunks now remembered."""
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            return 0
        stat = path.stat()
        if stat.st_size > MAX_BYTES:
            log.info("skipping a watched file: larger than %d bytes", MAX_BYTES)
            log.debug("skipped %s: larger than %d bytes", path, MAX_BYTES)  # names: DEBUG
            return 0
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as exc:
            log.info("skipping a watched file: %s", type(exc).__name__)
            log.debug("skipped %s: %s", path, exc)
            return 0
        self.forget(path)
        parts = chunks(redact(text))
        items = [
            NewMemory(
                f"{path.name}: {part}",
                kind="file",
                source="files",
                at=None,
                meta={"path": str(path), "chunk": i, "mtime": stat.st_mtime},
                untrusted=True,
            )
            for i, part in enumerate(parts)
        ]
        if items:
            self.store.remember_many(items)
        return len(items)

    def forget(self, path: Path) -> int:
        return len(self.store.forget_many(self.chunk_ids(path)))

    def scan(self, folder: Path) -> int:
        changed = 0
        for path in folder.rglob("*"):
            if (
                path.suffix.lower() in SUFFIXES
                and path.is_file()
                and self.indexed_mtime(path) != path.stat().st_mtime
            ):
                self.update(path)
                changed += 1
        return changed


class FileWatcher:
    """A watch sensor: watchdog callbacks keep ``FileIndex`` in step with the folders."""

    name = "files"
    needs = "a folder to watch that exists (sensing.watch_folders)"
    interval_s = 0.0

    def __init__(self, store: MemoryStore, folders: list[Path], debounce_s: float = 1.0):
        self.index = FileIndex(store)
        self.folders = [f.expanduser() for f in folders]
        self.debounce_s = debounce_s
        self._observer: Any = None
        self._timers: dict[Path, threading.Timer] = {}
        self._lock = threading.Lock()
        self.last: str | None = None

    def available(self) -> bool:
        return any(folder.is_dir() for folder in self.folders)

    def start(self) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler

        observer_class: Any
        if wants_inotify():  # watchdog's auto-detection falls back to polling there
            from watchdog.observers.inotify import InotifyObserver as observer_class
        else:
            from watchdog.observers import Observer as observer_class

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.is_directory:
                    return
                for raw in (event.src_path, getattr(event, "dest_path", "")):
                    if raw:
                        watcher.changed(Path(str(raw)))

        for folder in self.folders:
            if folder.is_dir():
                self.index.scan(folder)
        self._observer = observer_class()
        for folder in self.folders:
            if folder.is_dir():
                self._observer.schedule(Handler(), str(folder), recursive=True)
        self._observer.start()

    def changed(self, path: Path) -> None:
        """Debounced: an editor's save is several events; index once they settle."""
        if path.suffix.lower() not in SUFFIXES:
            return
        with self._lock:
            if timer := self._timers.pop(path, None):
                timer.cancel()
            timer = threading.Timer(self.debounce_s, self._apply, args=(path,))
            timer.daemon = True
            self._timers[path] = timer
            timer.start()

    def _apply(self, path: Path) -> None:
        with self._lock:
            self._timers.pop(path, None)
        try:
            if path.is_file():
                count = self.index.update(path)
                self.last = f"indexed {path.name} ({count} chunks)"
            else:
                count = self.index.forget(path)
                self.last = f"forgot {path.name} ({count} chunks)"
        except Exception as exc:  # the message may name the file: DEBUG has it
            log.error("indexing a watched file failed: %s", type(exc).__name__)
            log.debug("indexing %s failed", path, exc_info=True)

    def stop(self) -> None:
        with self._lock:
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
