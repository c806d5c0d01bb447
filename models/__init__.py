"""Model files: the catalog and its pinned downloads, the MiniLM-to-GGUF converter, which
GGUF to run, and the adapter shelf with its LoRA GGUF reader and writer.

This floor sits under ``engine/`` and ``embedders/``: it reads and writes files and knows
nothing of inference. It imports neither: the errors it raises (``errors.py``) and the
GGUF metadata it reads (``embedding_gguf.py``, ``gguf_header.py``) live here, and the
seams re-export them."""
