"""The personalization loop's phone side: exporting traces for an offline refresh."""

from .adapters import AdapterShelf
from .export import ExportReport, Watermark, export, record_feedback
from .lora_gguf import AdapterError, check_adapter, write_lora_gguf

__all__ = [
    "AdapterError",
    "AdapterShelf",
    "ExportReport",
    "Watermark",
    "check_adapter",
    "export",
    "record_feedback",
    "write_lora_gguf",
]
