"""Retrieval: the memories that answer a query (time windows, fusion of vector and
full-text candidates, neighbours). It reads the memory room through ``MemoryStore``."""

from .retriever import Retriever

__all__ = ["Retriever"]
