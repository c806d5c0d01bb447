"""Reading ``config.toml`` and saying what is wrong with settings, where, and what to do.

Each problem is named by its source: the file's ``[section] key``, the ``POCKETMIND_*``
variable, or the override's dotted name; an unknown key or section comes with the
nearest known name.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError


class SettingsError(ValueError):
    """Settings could not be loaded; the message names the file and field."""


def read_config(path: Path) -> dict[str, Any]:
    """The tables of ``path``; {} when there is none. Errors say what to do."""
    if not path.is_file():
        return {}
    remedy = "fix it, or move it away to use the defaults"
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read it ({exc.strerror}); {remedy}") from None
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f"{path}: not a text file (byte {exc.start} is not UTF-8); {remedy}"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}; {remedy}") from None


def describe(
    exc: ValidationError,
    model: type[BaseModel],
    config: Path,
    values: dict[str, Any],
    overrides: dict[str, Any],
) -> str:
    """One line for every problem in ``exc``, grouped by source, and what to do."""
    found: dict[str, list[str]] = {"file": [], "env": [], "other": []}
    for err in exc.errors():
        source, text = _problem(err, model, values, overrides)
        found[source].append(text)
    parts = [f"{config}: " + "; ".join(found["file"])] if found["file"] else []
    parts += found["env"] + found["other"]
    remedy = ["fix or remove it in the file"] if found["file"] else []
    remedy += ["fix or unset the variable"] if found["env"] else []
    return "invalid settings: " + "; ".join(parts) + (f" ({', '.join(remedy)})" if remedy else "")


def _has(mapping: Any, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(mapping, dict) or key not in mapping:
            return False
        mapping = mapping[key]
    return True


def _problem(
    err: Any, model: type[BaseModel], values: dict[str, Any], overrides: dict[str, Any]
) -> tuple[str, str]:
    """Where one validation error came from ("file", "env" or "other"), and "where: what",
    where being the file's ``[section] key``, a ``POCKETMIND_*`` variable, or a dotted
    name."""
    loc = tuple(str(part) for part in err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = _unknown(loc, model, values)
    env = "POCKETMIND_" + "__".join(loc).upper()
    if _has(overrides, loc):
        return "other", f"{'.'.join(loc)}: {message}"
    if any(name.upper() == env for name in os.environ):
        return "env", f"{env}: {message}"
    if loc and _has(values, loc[:2]):
        if len(loc) > 1:
            return "file", f"[{loc[0]}] {'.'.join(loc[1:])}: {message}"
        return "file", f"[{loc[0]}]: {message}" if isinstance(values[loc[0]], dict) else (
            f"{loc[0]}: {message}"
        )
    return "other", f"{'.'.join(loc)}: {message}"


def _unknown(loc: tuple[str, ...], top: type[BaseModel], values: dict[str, Any]) -> str:
    """The words for an unknown key or section, with the nearest known name if close."""
    model: Any = top
    for part in loc[:-1]:
        field = model.model_fields.get(part)
        model = field.annotation if field is not None else None
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return "unknown key"
    what = "section" if len(loc) == 1 and isinstance(values.get(loc[0]), dict) else "key"
    close = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1)
    return f"unknown {what}" + (f" (did you mean {close[0]!r}?)" if close else "")
