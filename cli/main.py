"""``pocketmind``: the command-line entry point.

Every command accepts ``--home DIR`` (also ``POCKETMIND_HOME``); errors that come from
the user's input or environment print one clear line and exit 1, never a traceback.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import __version__
from ..daemon.client import DaemonError
from ..embedders import EmbedderError
from ..engine.base import EngineError
from ..memory import MemoryInputError, StorageError
from ..memory.recover import damage_message, is_damage
from ..privacy import private_umask, secure_home
from ..settings import Settings, SettingsError, load_settings

F = TypeVar("F", bound=Callable[..., Any])

# Commands that report loose file modes (doctor) rather than fix them.
INSPECT_ONLY = frozenset({"doctor"})

USER_ERRORS = (
    MemoryInputError,
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


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@home_option
@click.version_option(__version__, prog_name="pocketmind")
def main() -> None:
    """PocketMind: a personal assistant that lives on your phone and remembers your life."""


def _register() -> None:
    from .adapter import adapter
    from .chat import ask, chat
    from .daemon import start, status, stop, up
    from .doctor import doctor
    from .export import export_command, feedback
    from .memory import memory
    from .models import models
    from .refresh import refresh
    from .reminders import remind, reminders
    from .sensing import places, sensors
    from .skills import skills

    for command in (
        adapter,
        ask,
        chat,
        doctor,
        export_command,
        feedback,
        memory,
        models,
        places,
        refresh,
        sensors,
        remind,
        reminders,
        skills,
        up,
        start,
        stop,
        status,
    ):
        main.add_command(command)


_register()

__all__ = ["Settings", "main", "with_settings"]
