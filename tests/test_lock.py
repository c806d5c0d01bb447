"""The locks pin everything pyproject.toml asks for, with hashes, for each platform."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _name(requirement: str) -> str:
    """The PEP 503 name: ``sqlean.py`` and ``sqlean-py`` are one package."""
    raw = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", raw).lower()


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    blocks = re.split(r"\n(?=[a-z0-9])", text)
    pins = {}
    for block in blocks:
        head = re.match(r"([a-z0-9][a-z0-9._-]*)==(\S+)", block)
        if head is None:
            continue
        assert "--hash=sha256:" in block, f"{lock}: {head.group(1)} has no hash"
        pins[_name(head.group(1))] = head.group(2)
    return pins


def _wanted(*extras: str) -> set[str]:
    names: set[str] = set()
    todo = [*PROJECT["dependencies"]]
    for extra in extras:
        todo += PROJECT["optional-dependencies"][extra]
    while todo:
        requirement = todo.pop()
        inner = re.match(r"pocketmind\[(.+)\]", requirement)
        if inner:
            for extra in inner.group(1).split(","):
                todo += PROJECT["optional-dependencies"][extra]
        else:
            names.add(_name(requirement))
    return names


def test_the_desktop_lock_pins_every_dependency_but_torch() -> None:
    pins = _pins("requirements.lock")
    missing = _wanted("dev") - set(pins)
    assert not missing, f"not in requirements.lock (run `make lock`): {sorted(missing)}"
    assert "torch" not in pins  # installed on its own, as the CPU build
    assert not [name for name in pins if name.startswith("nvidia-")]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("requirements-termux.lock", ("termux",)), ("requirements-termux-http.lock", ())],
)
def test_the_phone_locks_hold_nothing_android_cannot_install(
    lock: str, extras: tuple[str, ...]
) -> None:
    pins = _pins(lock)
    android_only = {"sqlite-vec", "sqlean-py"}  # marked `sys_platform != 'android'`
    from_pkg = {"numpy", "cryptography"}  # Termux's python-numpy, python-cryptography
    missing = _wanted(*extras) - set(pins) - android_only - from_pkg
    assert not missing, f"not in {lock} (run `make lock`): {sorted(missing)}"
    heavy_ones = ("torch", "sentence-transformers", "scikit-learn", "sqlite-vec", *from_pkg)
    for heavy in heavy_ones:
        assert heavy not in pins, f"{heavy} in {lock}"
    assert ("llama-cpp-python" in pins) == ("termux" in extras)
