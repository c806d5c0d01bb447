"""The memory store: durable events, deduplicated memories, hybrid retrieval."""

from ..db import StorageError, connect
from .embedder import Embedder, EmbedderError, FakeEmbedder, SentenceTransformerEmbedder
from .model import Memory, NewEvent, NewMemory, Remembered, SearchResult
from .store import EmbeddingMismatch, MemoryStore
from .when import TimeWindow, time_window

__all__ = [
    "Embedder",
    "EmbedderError",
    "EmbeddingMismatch",
    "FakeEmbedder",
    "Memory",
    "MemoryStore",
    "NewEvent",
    "NewMemory",
    "Remembered",
    "SearchResult",
    "SentenceTransformerEmbedder",
    "StorageError",
    "TimeWindow",
    "connect",
    "time_window",
]
