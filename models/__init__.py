"""Model files: the catalog and its pinned downloads, the MiniLM-to-GGUF converter, which
GGUF to run, and the adapter shelf with its LoRA GGUF reader and writer.

This floor sits under ``engine/`` and ``embedders/``: it reads and writes files and knows
nothing of inference. Its only import from ``engine/`` is ``engine.base``'s errors, a leaf."""
