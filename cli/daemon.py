"""``pocketmind up | start | stop | status``: the daemon's life cycle."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import click

from ..daemon.client import DaemonClient
from ..daemon.paths import AlreadyRunning, RunFiles, private_dir
from ..settings import Settings
from .base import with_settings
from .progress import Spinner

NOT_RUNNING = 3  # LSB: program is not running


DEBUG_HELP = "Log at DEBUG (daemon.log_level): the log may then hold memory and chat text."


@click.command()
@with_settings
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
def up(settings: Settings, debug: bool) -> None:
    """Run the daemon in the foreground (what runit or systemd supervises)."""
    from ..daemon.main import run

    if debug:
        settings.daemon.log_level = "debug"
    try:
        run(settings)
    except AlreadyRunning as exc:
        raise click.ClickException(str(exc)) from exc


@click.command()
@with_settings
@click.option(
    "--wait",
    type=float,
    default=120.0,
    show_default=True,
    help="Seconds to wait for the API to answer.",
)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
def start(settings: Settings, wait: float, debug: bool) -> None:
    """Start the daemon in the background; its log goes to $POCKETMIND_HOME/logs."""
    files = RunFiles(settings)
    if pid := files.read_pid():
        click.echo(f"already running (pid {pid})")
        return
    private_dir(settings.log_path.parent)
    with settings.log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pocketmind.cli", "up", "--home", str(settings.home)]
            + (["--debug"] if debug else []),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    deadline = time.monotonic() + wait
    with Spinner("starting the daemon") as spinner:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                spinner.stop()
                tail = settings.log_path.read_text(errors="replace").splitlines()[-15:]
                raise click.ClickException("the daemon exited while starting:\n" + "\n".join(tail))
            if client := DaemonClient.connect(settings):
                client.close()
                spinner.stop()
                click.echo(f"started (pid {process.pid}), log: {settings.log_path}")
                return
            if phase := (files.read_phase() or {}).get("phase"):
                spinner.update(f"starting the daemon: {phase}")
            time.sleep(0.2)
    phase = (files.read_phase() or {}).get("phase", "unknown")
    raise click.ClickException(f"the daemon did not answer within {wait:.0f} s (phase: {phase})")


@click.command()
@with_settings
@click.option("--wait", type=float, default=60.0, show_default=True)
def stop(settings: Settings, wait: float) -> None:
    """Stop the background daemon (SIGTERM: it flushes its queue and stops in order)."""
    files = RunFiles(settings)
    pid = files.read_pid()
    if pid is None:
        click.echo("not running")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if files.read_pid() is None:
            click.echo(f"stopped (pid {pid})")
            return
        time.sleep(0.1)
    raise click.ClickException(f"pid {pid} did not stop within {wait:.0f} s")


@click.command()
@with_settings
@click.option("--json", "as_json", is_flag=True)
def status(settings: Settings, as_json: bool) -> None:
    """Whether the daemon runs, and the state of each of its parts. Exit 3 if not running."""
    files = RunFiles(settings)
    client = DaemonClient.connect(settings)
    if client is None:
        pid = files.read_pid()
        phase = files.read_phase() if pid else None
        state = {"running": False, "pid": pid, "phase": (phase or {}).get("phase")}
        if as_json:
            click.echo(json.dumps(state))
        elif pid:
            click.echo(f"starting (pid {pid}): {state['phase'] or 'unknown phase'}")
        else:
            click.echo("not running")
        sys.exit(0 if pid else NOT_RUNNING)
    with client:
        report = client.status()
    if as_json:
        click.echo(json.dumps({"running": True, **report}))
        return
    click.echo(f"running (pid {report['pid']}, up {report['uptime_s']:.0f} s)")
    click.echo(f"  model: {report['model']}  adapter: {report['adapter'] or '-'}")
    if report.get("adapter_warning"):
        click.echo(f"  adapter warning: {report['adapter_warning']}")
    click.echo(
        f"  memories: {report['memories']}  events: {report['events']}  "
        f"queue: {report['queue_depth']}  pending: {report.get('pending', 0)}"
    )
    if report.get("reminders_due"):
        click.echo(
            f"  reminders due: {report['reminders_due']} fired and not shown "
            "(pocketmind reminders list --fired)"
        )
    if report.get("notifier_problem"):
        click.echo(f"  notifications: none ({report['notifier_problem']})")
    if report.get("ingest", {}).get("last_error"):
        click.echo(f"  ingest waiting to retry: {report['ingest']['last_error']}")
    for name, part in report["components"].items():
        error = f"  ({part['error']})" if part["error"] else ""
        click.echo(f"  {name:10s} {part['state']}{error}")


__all__ = ["AlreadyRunning", "start", "status", "stop", "up"]
