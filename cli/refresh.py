"""``pocketmind refresh``: train, evaluate and write a LoRA adapter (extra [train])."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..settings import Settings
from .base import with_settings


@click.command()
@with_settings
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--base",
    type=click.Path(path_type=Path),
    required=True,
    help="The base model GGUF (the file the phone runs).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The adapter GGUF to write (a .json report goes beside it).",
)
@click.option("--teacher", help="An OpenAI-compatible server URL whose answers to distill.")
@click.option("--epochs", type=click.IntRange(1), help="Override train.epochs.")
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), help="Override train.lr.")
@click.option(
    "--start",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A LoRA GGUF to train on from. Default: the shipped default adapter when it is in "
    "use (engine.default_adapter on, --base the packaged SmolLM2), else the plain base.",
)
@click.option("--from-base", is_flag=True, help="Start from the plain base model.")
@click.option("--json", "as_json", is_flag=True)
def refresh(
    settings: Settings,
    data_dir: Path,
    base: Path,
    out: Path,
    teacher: str | None,
    epochs: int | None,
    lr: float | None,
    start: Path | None,
    from_base: bool,
    as_json: bool,
) -> None:
    """Train a LoRA adapter on DATA_DIR (from `pocketmind export`), with K-fold
    evaluation against where it started; writes a GGUF adapter that llama.cpp loads.

    When the shipped default adapter is in use (engine.default_adapter), it starts from
    it, so what you install keeps what that taught and adds what your chats teach."""
    try:
        from ..training.refresh import refresh as run
    except ImportError as exc:
        raise click.ClickException(
            f"refresh needs the training extra: pip install 'pocketmind[train]' ({exc})"
        ) from exc
    updates = {k: v for k, v in (("epochs", epochs), ("lr", lr)) if v is not None}
    config = settings.train.model_copy(update=updates)
    if start is not None and from_base:
        raise click.UsageError("--start and --from-base: give one")
    if start is None and not from_base:
        from ..models.local import default_adapter

        start = default_adapter(settings, base)
    report = run(
        data_dir, base, out, config, teacher, lambda line: click.echo(line, err=True), start
    )
    if as_json:
        click.echo(json.dumps(report.to_json()))
        return
    click.echo(report.table())
    click.echo(
        f"adapter: {out} ({report.examples} examples, {report.seconds:.0f} s on "
        f"{report.device}); install it with `pocketmind adapter install {out}`"
    )
