"""Reminders: the book (the tables, ``book.py``) and firing them (``firing.py``)."""

from .book import CONTEXT_TYPES, Reminder, ReminderBook
from .firing import TRUSTED_SOURCES, ReminderScheduler

__all__ = ["CONTEXT_TYPES", "TRUSTED_SOURCES", "Reminder", "ReminderBook", "ReminderScheduler"]
