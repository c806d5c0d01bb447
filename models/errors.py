"""What goes wrong with a model: the errors the model files and the backends that run them
raise. They live on the bottom floor so that ``models/`` (catalog, local files, the
adapter shelf) can raise them without importing ``engine/`` or ``embedders/``, which sit
above it and re-export them."""

from __future__ import annotations


class EngineError(RuntimeError):
    """The model could not be loaded or reached, or refused the request."""


class AdapterError(EngineError):
    """A LoRA adapter that is missing, not a LoRA GGUF, not for this base model, or broken
    (non-finite or absurd weights, degenerate answers): refused, the model in use stays."""


class EmbedderError(RuntimeError):
    """The embedding model could not be found or loaded."""
