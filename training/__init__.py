"""The personalization loop's phone side: exporting traces for an offline refresh."""

from .export import ExportReport, Watermark, export, record_feedback

__all__ = ["ExportReport", "Watermark", "export", "record_feedback"]
