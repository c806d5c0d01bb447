"""Exchanges: every question and answer, and the user's verdict on it (its own room,
below chat, skills and training, which all read it through :class:`ExchangeLog`)."""

from .log import Exchange, ExchangeLog

__all__ = ["Exchange", "ExchangeLog"]
