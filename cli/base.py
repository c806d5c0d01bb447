"""What every command shares: the error-to-message ``Group`` and ``with_settings``.

Command modules import these from here, and ``main`` imports the command modules, so
nothing imports ``main`` back.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..daemon.client import DaemonError
from ..embedders import EmbedderError
from ..engine.base import EngineError
from ..memory import StorageError
from ..memory.recover import damage_message, is_damage
from ..privacy import private_umask, secure_home
from ..settings import SettingsError, load_settings
from ..validation import InputError

F = TypeVar("F", bound=Callable[..., Any])

# Commands that report loose file modes (doctor) rather than fix them.
INSPECT_ONLY = frozenset({"doctor"})

USER_ERRORS = (
    InputError,
    SettingsError,
    StorageError,
    EmbedderError,
    EngineError,
    DaemonError,
)


class Group(click.Group):
    """A click group that turns our domain errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:  # backslashreplace: a lone surrogate must not crash it
            message = str(exc).encode("utf-8", "backslashreplace").decode("utf-8")
            raise click.ClickException(message) from exc


def _remember_home(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["home"] = value


home_option = click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    callback=_remember_home,
    expose_value=False,
    is_eager=True,
    help="State directory (default: $POCKETMIND_HOME or ~/.pocketmind).",
)


def with_settings(fn: F) -> F:
    """Add ``--home`` and pass the loaded ``Settings`` as the first argument."""

    @home_option
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        home = (ctx.find_object(dict) or {}).get("home")
        settings = load_settings(home)
        umask = private_umask()  # what the command creates is its owner's only
        try:
            if ctx.command.name not in INSPECT_ONLY and settings.home.exists():
                secure_home(settings.home)  # an older install's or a copied-in file
            return fn(settings, *args, **kwargs)
        except Exception as exc:
            if is_damage(exc):  # SQLite's own words, wherever the damage was met
                raise StorageError(damage_message(settings.db_path, exc)) from exc
            raise
        finally:
            os.umask(umask)

    return wrapper  # type: ignore[return-value]
