"""The long-running assistant: ingest, API, and the parts sensing and skills plug into."""

from .runtime import Component, Runtime

__all__ = ["Component", "Runtime"]
