"""Ingest: the events log (its owner) and the stage that turns events into memories."""

from .events import EventLog
from .worker import Backpressure, Ingestor

__all__ = ["Backpressure", "EventLog", "Ingestor"]
