"""The Textual chat TUI (``pocketmind chat``)."""

from .app import PocketMindApp

__all__ = ["PocketMindApp"]
