"""Text as a BERT-like GGUF embedder should see it (what the model declares is read by
:mod:`pocketmind.models.embedding_gguf`)."""

from __future__ import annotations

import re

# BERT's WordPiece turns a word of over 100 characters into [UNK]; llama.cpp splits it.
_LONG_WORD = re.compile(r"[^\W_]{101,}")


def bert_like_text(text: str) -> str:
    """Text as BERT's own tokenizer would see it: over-long words become [UNK]."""
    return _LONG_WORD.sub(" [UNK] ", text)
