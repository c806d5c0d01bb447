"""Grounded chat: prompts built from memories, streamed answers, exchanges, learned facts."""

from ..exchanges import Exchange, ExchangeLog
from .assistant import Answer, AnswerStream, Assistant
from .facts import Fact, FactExtractor
from .prompt import BuiltPrompt, PromptBuilder, PromptTooLong, defuse

__all__ = [
    "Answer",
    "AnswerStream",
    "Assistant",
    "BuiltPrompt",
    "Exchange",
    "ExchangeLog",
    "Fact",
    "FactExtractor",
    "PromptBuilder",
    "PromptTooLong",
    "defuse",
]
