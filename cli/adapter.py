"""``pocketmind adapter install | list | use | rollback``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..daemon.client import DaemonClient, DaemonError
from ..models.adapters import AdapterShelf
from ..models.local import resolve
from ..models.lora_gguf import check_adapter
from ..settings import Settings
from .base import Group, with_settings


@click.group(cls=Group)
def adapter() -> None:
    """Install, choose and roll back LoRA adapters (the running daemon follows)."""


def _switch(settings: Settings, shelf: AdapterShelf, version_id: int | None) -> str:
    """Have a running daemon load version ``version_id`` (None: the base model). Raises
    with the daemon's reason if it refuses; the caller changes the shelf only after."""
    path = shelf.path_of(version_id)
    if path is not None:  # a missing file, NaN weights, another base: refused right here
        check_adapter(path, resolve(settings).path)
    client = DaemonClient.connect(settings)
    if client is None:
        return "the daemon is not running; it will use it when it starts"
    try:
        with client:
            done = client.request(
                "POST", "/adapter/reload", json={"path": str(path) if path else None}
            )
    except DaemonError as exc:
        raise click.ClickException(
            f"not changed: the daemon keeps the adapter it had ({exc})"
        ) from exc
    return f"the running daemon now answers with {done['adapter'] or 'the base model'}"


@adapter.command()
@with_settings
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="A short name for this version.")
@click.option("--use", "use_it", is_flag=True, help="Use it right away.")
def install(settings: Settings, file: Path, name: str | None, use_it: bool) -> None:
    """Install FILE (a GGUF LoRA adapter), after checking it fits the base model and
    holds finite weights of a sane size."""
    shelf = AdapterShelf(settings)
    version = shelf.install(file, resolve(settings).path, name)
    click.echo(f"installed #{version['id']} {version['name']} (rank {version['rank']})")
    if use_it:
        followed = _switch(settings, shelf, version["id"])
        shelf.use(version["id"])
        click.echo(followed)


@adapter.command("list")
@with_settings
@click.option("--json", "as_json", is_flag=True)
def list_adapters(settings: Settings, as_json: bool) -> None:
    """Installed adapters; * marks the one in use."""
    versions: list[dict[str, Any]] = AdapterShelf(settings).versions()
    if as_json:
        click.echo(json.dumps(versions))
        return
    if not versions:
        click.echo("no adapters installed: the base model answers")
    for v in versions:
        click.echo(
            f"{'*' if v['active'] else ' '} #{v['id']:<3} {v['name']:24s} "
            f"rank {v['rank']}  {v['installed_at'][:16]}  for {v['base_model']}"
            + ("  (file missing)" if v["missing"] else "")
        )


@adapter.command()
@with_settings
@click.argument("version")
def use(settings: Settings, version: str) -> None:
    """Answer with adapter VERSION (an id), or 'none' for the plain base model."""
    shelf = AdapterShelf(settings)
    if version != "none" and not version.isdigit():
        raise click.UsageError("VERSION is an adapter id or 'none'")
    version_id = None if version == "none" else int(version)
    followed = _switch(settings, shelf, version_id)  # the shelf changes once it is loaded
    active = shelf.use(version_id)
    click.echo(f"using {active['name'] if active else 'the base model'}")
    click.echo(followed)


@adapter.command()
@with_settings
def rollback(settings: Settings) -> None:
    """Go back to the adapter used before the current one."""
    shelf = AdapterShelf(settings)
    followed = _switch(settings, shelf, shelf.previous())
    active = shelf.rollback()
    click.echo(f"rolled back to {active['name'] if active else 'the base model'}")
    click.echo(followed)
