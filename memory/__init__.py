"""The memory store: durable events, deduplicated memories, hybrid retrieval."""

from ..db import StorageError, connect
from .instants import TimeWindow, time_window
from .model import Memory, NewEvent, NewMemory, Remembered, SearchResult
from .store import EmbeddingMismatch, MemoryStore

__all__ = [
    "EmbeddingMismatch",
    "Memory",
    "MemoryStore",
    "NewEvent",
    "NewMemory",
    "Remembered",
    "SearchResult",
    "StorageError",
    "TimeWindow",
    "connect",
    "time_window",
]
