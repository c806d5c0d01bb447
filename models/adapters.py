"""Installed LoRA adapters, versioned under $POCKETMIND_HOME/adapters.

``index.json`` lists every installed version (file, sha256, base model, when), which
one is in use, and the ones used before it, so ``rollback`` goes back one step. The
index is replaced atomically; an adapter is checked against the base model (shapes,
finite weights of a sane size) before it is installed. The CLI changes the one in use
only after a running daemon has loaded it (``path_of``, ``previous``, then ``use`` or
``rollback``); a daemon that cannot load it at start falls back (``start_candidates``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..settings import Settings
from .lora_gguf import AdapterError, check_adapter


class AdapterShelf:
    def __init__(self, settings: Settings) -> None:
        self.dir = settings.home / "adapters"
        self.index_path = self.dir / "index.json"

    def _read(self) -> dict[str, Any]:
        if not self.index_path.exists():
            return {"versions": [], "active": None, "history": []}
        data: dict[str, Any] = json.loads(self.index_path.read_text())
        return data

    def _write(self, index: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(index, indent=2))
        os.replace(tmp, self.index_path)

    def install(self, source: Path, base_model: Path, name: str | None = None) -> dict[str, Any]:
        if not source.is_file():
            raise AdapterError(f"adapter file not found: {source}")
        info = check_adapter(source, base_model)
        index = self._read()
        number = max((v["id"] for v in index["versions"]), default=0) + 1
        label = re.sub(r"[^A-Za-z0-9._-]+", "-", name or source.stem).strip("-") or "adapter"
        target = self.dir / f"v{number:03d}-{label}.gguf"
        self.dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        version = {
            "id": number,
            "name": label,
            "file": target.name,
            "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
            "base_model": base_model.name,
            "installed_at": datetime.now(UTC).isoformat(),
            "rank": info["rank"],
            "alpha": info["alpha"],
        }
        index["versions"].append(version)
        self._write(index)
        return version

    def versions(self) -> list[dict[str, Any]]:
        index = self._read()
        return [
            {
                **v,
                "active": v["id"] == index["active"],
                "missing": not (self.dir / v["file"]).is_file(),
            }
            for v in index["versions"]
        ]

    def path_of(self, version_id: int | None) -> Path | None:
        """The file of an installed version (None: the plain base model)."""
        if version_id is None:
            return None
        index = self._read()
        version = next((v for v in index["versions"] if v["id"] == version_id), None)
        if version is None:
            raise AdapterError(f"no installed adapter #{version_id}")
        return self.dir / str(version["file"])

    def previous(self) -> int | None:
        """The version ``rollback`` would go back to (None: the base model)."""
        history = self._read()["history"]
        if not history:
            raise AdapterError("nothing to roll back to")
        previous: int | None = history[-1]
        return previous

    def start_candidates(self, most: int = 3) -> list[Path]:
        """The adapters a starting daemon tries, in order: the one in use, then those
        used before it, back to the last time the base model was in use."""
        index = self._read()
        files = {v["id"]: self.dir / v["file"] for v in index["versions"]}
        out: list[Path] = []
        for version_id in [index["active"], *reversed(index["history"])]:
            if version_id is None:
                break
            if version_id in files and files[version_id] not in out:
                out.append(files[version_id])
        return out[:most]

    def use(self, version_id: int | None) -> dict[str, Any] | None:
        """Make a version (or none: the plain base model) the one in use."""
        index = self._read()
        if version_id is not None and not any(v["id"] == version_id for v in index["versions"]):
            raise AdapterError(f"no installed adapter #{version_id}")
        if index["active"] != version_id:
            index["history"].append(index["active"])
            index["active"] = version_id
            self._write(index)
        return self.active()

    def rollback(self) -> dict[str, Any] | None:
        """Go back to the adapter used before the current one."""
        index = self._read()
        if not index["history"]:
            raise AdapterError("nothing to roll back to")
        index["active"] = index["history"].pop()
        self._write(index)
        return self.active()

    def active(self) -> dict[str, Any] | None:
        index = self._read()
        return next((v for v in index["versions"] if v["id"] == index["active"]), None)

    def active_path(self) -> Path | None:
        version = self.active()
        return self.dir / version["file"] if version else None
