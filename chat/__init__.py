"""Grounded chat: prompts built from memories, streamed answers, traces, learned facts."""

from .assistant import Answer, AnswerStream, Assistant
from .facts import Fact, FactExtractor
from .prompt import BuiltPrompt, PromptBuilder, PromptTooLong, defuse
from .traces import Exchange, TraceLog

__all__ = [
    "Answer",
    "AnswerStream",
    "Assistant",
    "BuiltPrompt",
    "Exchange",
    "Fact",
    "FactExtractor",
    "PromptBuilder",
    "PromptTooLong",
    "TraceLog",
    "defuse",
]
