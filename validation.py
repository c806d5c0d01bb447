"""Validation of what comes in from outside (a sender, the user, a file): the one place that
decides what text and JSON are acceptable, and the one error that says what is wrong and where.

It sits on the bottom floor beside db.py: memories, events, reminders, chat and the API all
refuse bad input with :class:`InputError`."""

from __future__ import annotations

import math
from typing import Any


class InputError(ValueError):
    """Input that cannot be accepted (as a memory, an event, a reminder…). The message says
    what is wrong and where."""


def clean_text(text: object, max_bytes: int, where: str = "text") -> str:
    """Return ``text`` stripped, or raise naming ``where`` and what is wrong."""
    if not isinstance(text, str):
        raise InputError(f"{where}: text must be a string, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{where}: text is empty")
    try:
        encoded = stripped.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{where}: text is not valid UTF-8 (lone surrogate at character {exc.start})"
        ) from exc
    if "\x00" in stripped:
        raise InputError(f"{where}: text contains a NUL character")
    if len(encoded) > max_bytes:
        raise InputError(f"{where}: text is {len(encoded)} bytes, over the limit of {max_bytes}")
    return stripped


def json_problem(value: Any, path: str = "") -> str | None:
    """What keeps ``value`` from being stored as JSON text, naming where inside it
    (``"x.y: NaN is not a JSON number"``); None when nothing does."""
    here = path or "value"
    if isinstance(value, float) and not math.isfinite(value):
        shown = "NaN" if math.isnan(value) else ("-" if value < 0 else "") + "Infinity"
        return f"{here}: {shown} is not a JSON number (only finite numbers are)"
    if isinstance(value, str):
        return _surrogate(value, here)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{here}: key {key!r} is not a string"
            shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
            inner = f"{path}.{shown}" if path else shown
            if problem := _surrogate(key, f"{inner} (the key)") or json_problem(item, inner):
                return problem
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if problem := json_problem(item, f"{path}[{i}]" if path else f"[{i}]"):
                return problem
    elif value is not None and not isinstance(value, bool | int | float):
        return f"{here}: {type(value).__name__} is not a JSON value"
    return None


def _surrogate(text: str, where: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"{where}: lone surrogate U+{ord(text[exc.start]):04X} at character {exc.start}"
    return None


def clean_importance(value: object, where: str) -> float:
    """``value`` as a float in [0, 1], or raise naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(
            f"{where}: importance: must be a number between 0 and 1, got {type(value).__name__}"
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not 0.0 <= number <= 1.0:  # NaN fails this too
        raise InputError(f"{where}: importance: must be between 0 and 1, got {value!r}")
    return number


def clean_label(value: object, field: str, where: str) -> str:
    """A short name (a kind, a source): a non-empty string of up to 200 characters."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: {field} must be a non-empty string")
    if len(value) > 200:
        raise InputError(f"{where}: {field} is longer than 200 characters")
    if problem := json_problem(value, field):
        raise InputError(f"{where}: {problem}")
    return value.strip()
