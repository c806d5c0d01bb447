"""``pocketmind models``: list, pull by name, and convert the embedder to GGUF."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..embedders import PACKAGED_MODEL_ID, embedder_gguf, packaged_minilm_path
from ..engine import EngineError
from ..models.catalog import CATALOG, CatalogError, install_path, lookup, pull
from ..models.convert import ConversionError, convert_bert
from ..models.download import DownloadError, Pin, fetch
from ..models.local import discover, resolve
from ..settings import Settings
from .base import with_settings


class _Progress:
    """One progress bar per file on stderr (tqdm), closed when the file is whole."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bars: dict[str, Any] = {}

    def __call__(self, name: str, done: int, total: int | None) -> None:
        if self.quiet:
            return
        from tqdm import tqdm

        bar = self.bars.get(name)
        if bar is None:
            bar = self.bars[name] = tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=name,
                file=sys.stderr,
            )
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@click.group(invoke_without_command=True)
@with_settings
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def models(ctx: click.Context, settings: Settings, as_json: bool) -> None:
    """List the chat models found, and which one is in use (*)."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        in_use = resolve(settings).path if settings.engine.backend == "llama" else None
        problem = None
    except EngineError as exc:
        in_use, problem = None, str(exc)
    found = discover(settings)
    rows: list[dict[str, Any]] = [
        {
            "path": str(m.path),
            "origin": m.origin,
            "bytes": m.path.stat().st_size if m.path.is_file() else None,
            "in_use": m.path == in_use,
        }
        for m in found
    ]
    embed = embedder_gguf(settings)
    embed_bytes = embed.stat().st_size if embed.is_file() else None
    embedder: dict[str, Any] = {
        "backend": settings.embedder.backend,
        "gguf": str(embed),
        "bytes": embed_bytes,
    }
    if as_json:
        click.echo(
            json.dumps(
                {
                    "backend": settings.engine.backend,
                    "models": rows,
                    "embedder": embedder,
                    "problem": problem,
                }
            )
        )
        return
    click.echo(
        f"backend: {settings.engine.backend}"
        + (f" ({settings.engine.url})" if settings.engine.backend == "http" else "")
    )
    for row in rows:
        size = f"{row['bytes'] / 2**20:7.1f} MiB" if row["bytes"] is not None else "missing"
        mark = "*" if row["in_use"] else " "
        click.echo(f"{mark} {row['origin']:10s} {size}  {row['path']}")
    if not rows:
        click.echo(f"no models: put a GGUF in {settings.models_dir}")
    size = f"{embed_bytes / 2**20:.1f} MiB" if embed_bytes else "not pulled"
    click.echo(f"embedder: {settings.embedder.backend}; GGUF {embed} ({size})")
    if problem:
        click.echo(f"problem: {problem}", err=True)
        sys.exit(1)


@models.command("catalog")
@with_settings
def catalog_command(settings: Settings) -> None:
    """The models `pull` knows by name, and whether each is installed here (*)."""
    for model in CATALOG.values():
        mark = "*" if install_path(settings, model).is_file() else " "
        click.echo(
            f"{mark} {model.name:18s} {model.role:5s} {model.size / 2**20:8.1f} MiB  {model.title}"
            f" ({model.licence}): {model.note}"
        )


@models.command("pull")
@with_settings
@click.argument("name", required=False)
@click.option("--url", help="Pull this GGUF instead of a catalog model (needs --sha256).")
@click.option("--sha256", "sha256", help="The sha256 the --url file must have.")
@click.option("--size", type=int, help="Its size in bytes, if known.")
@click.option(
    "--mirror",
    help="A Hugging Face mirror to fetch catalog models from (default: $HF_ENDPOINT or "
    "https://huggingface.co).",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
def pull_command(
    settings: Settings,
    name: str | None,
    url: str | None,
    sha256: str | None,
    size: int | None,
    mirror: str | None,
    quiet: bool,
) -> None:
    """Download NAME (see `models catalog`), resuming and verifying it, into the models
    folder. An interrupted pull resumes when run again."""
    progress = _Progress(quiet)
    try:
        if url is not None:
            if not sha256:
                raise click.UsageError("--url needs --sha256: an unpinned download is refused")
            file_name = name or url.rsplit("/", 1)[-1].split("?")[0]
            if not file_name.endswith(".gguf"):
                raise click.UsageError(f"{file_name!r} does not end in .gguf; name it: NAME.gguf")
            target = settings.models_dir / file_name
            fetch(
                Pin(url, sha256.lower(), size),
                target,
                progress=lambda done, total: progress(file_name, done, total),
            )
        elif name is None:
            raise click.UsageError("name a model (see `pocketmind models catalog`) or give --url")
        else:
            model = lookup(name)
            target = pull(settings, model, mirror=mirror, report=progress)
    except (CatalogError, DownloadError, ConversionError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        progress.close()
    click.echo(f"installed {target} ({target.stat().st_size / 2**20:.1f} MiB, sha256 verified)")
    if url is None and name is not None and lookup(name).role == "embed":
        click.echo(
            "use it with embedder.backend = 'llama' (the default on Android); a store "
            "filled by another embedder needs `pocketmind memory reindex`"
        )


@models.command("convert-embedder")
@with_settings
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A sentence-transformers BERT folder (default: the packaged all-MiniLM-L6-v2).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--f32", is_flag=True, help="Keep float32 weights (twice the size).")
def convert_embedder(settings: Settings, source: Path | None, out: Path | None, f32: bool) -> None:
    """Write the embedding model as a GGUF for llama.cpp (copy it to a phone, or use
    embedder.backend = 'llama' here)."""
    folder = source or packaged_minilm_path()
    space = PACKAGED_MODEL_ID if source is None else f"sentence-transformers:{folder.name}"
    target = out or (
        embedder_gguf(settings)
        if source is None
        else settings.models_dir / "embed" / f"{folder.name}.gguf"
    )
    try:
        convert_bert(folder, target, space=space, name=folder.name, f16=not f32)
    except ConversionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {target} ({target.stat().st_size / 2**20:.1f} MiB, space {space})")
