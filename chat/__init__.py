"""Grounded chat: prompts built from memories, streamed answers, exchanges, learned facts."""

from ..exchanges import Exchange, ExchangeLog
from ..memory.texts import defuse
from .assistant import Answer, AnswerStream, Assistant
from .facts import Fact, FactExtractor
from .intents import Intent, IntentRouter, Routed
from .prompt import BuiltPrompt, PromptBuilder, PromptTooLong

__all__ = [
    "Answer",
    "AnswerStream",
    "Assistant",
    "BuiltPrompt",
    "Exchange",
    "ExchangeLog",
    "Fact",
    "FactExtractor",
    "Intent",
    "IntentRouter",
    "PromptBuilder",
    "PromptTooLong",
    "Routed",
    "defuse",
]
