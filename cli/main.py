"""``pocketmind``: the command-line entry point.

Every command accepts ``--home DIR`` (also ``POCKETMIND_HOME``); errors that come from
the user's input or environment print one clear line and exit 1, never a traceback.
"""

from __future__ import annotations

import click

from .. import __version__
from ..settings import Settings
from .base import Group, home_option, with_settings


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@home_option
@click.version_option(__version__, prog_name="pocketmind")
def main() -> None:
    """PocketMind: a personal assistant that lives on your phone and remembers your life."""


def _register() -> None:
    from .actions import actions
    from .adapter import adapter
    from .chat import ask, chat
    from .daemon import start, status, stop, up
    from .doctor import doctor
    from .export import export_command, feedback
    from .mcp_serve import mcp_command
    from .memory import memory
    from .models import models
    from .plans import plan, plans
    from .refresh import refresh
    from .reminders import remind, reminders
    from .sensing import places, sensors
    from .skills import skills

    for command in (
        actions,
        adapter,
        ask,
        chat,
        doctor,
        export_command,
        feedback,
        mcp_command,
        memory,
        models,
        places,
        plan,
        plans,
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
