"""The personalization loop's phone side: exporting traces for an offline refresh.

The adapter shelf and the LoRA GGUF reader/writer live in :mod:`pocketmind.models`."""

from .export import ExportReport, Watermark, export, record_feedback

__all__ = ["ExportReport", "Watermark", "export", "record_feedback"]
