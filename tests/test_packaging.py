"""A plain install ships the whole house: the phone installs with ``pip install .``, not
editable, so a folder missing from pyproject's ``packages`` is an ImportError there."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_SHIPPED = {"tests", "bench", "build", "termux", ".venv"}


def _folders_with_code() -> set[str]:
    found = {"pocketmind"}
    for init in ROOT.rglob("__init__.py"):
        relative = init.parent.relative_to(ROOT)
        if relative.parts and (relative.parts[0] in NOT_SHIPPED or relative.parts[0][0] == "."):
            continue
        if relative.parts:
            found.add(".".join(("pocketmind", *relative.parts)))
    return found


def test_every_folder_with_code_is_listed() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    missing = _folders_with_code() - listed
    assert not missing, f"pyproject.toml [tool.setuptools] packages lacks {sorted(missing)}"


@pytest.mark.slow
def test_the_built_wheel_holds_every_module_and_runs(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("pocketmind-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    sources = {
        "pocketmind/" + path.relative_to(ROOT).as_posix()
        for package in _folders_with_code()
        for path in (ROOT.joinpath(*package.split(".")[1:])).glob("*.py")
    }
    assert not sources - names, f"the wheel lacks {sorted(sources - names)[:10]}"
    assert "pocketmind/models/data/smollm2-135m-pocketmind.gguf" in names
    # the installed copy, not this checkout, answers `pocketmind --help`
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    where = subprocess.run(
        [sys.executable, "-c", "import pocketmind.retrieval.retriever as r; print(r.__file__)"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(tmp_path / "site")), where.stdout
    helped = subprocess.run(
        [sys.executable, "-m", "pocketmind.cli", "--help"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert helped.returncode == 0, helped.stderr
    assert "ask" in helped.stdout
