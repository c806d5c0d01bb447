"""Proactive skills: reminders by time and by context, delivered through a notifier."""

from ..clock import Clock, FakeClock, SystemClock
from .notify import Notification, Notifier, RecordingNotifier
from .reminders import Reminder, ReminderBook, ReminderScheduler
from .schedules import Schedule, parse_when

__all__ = [
    "Clock",
    "FakeClock",
    "Notification",
    "Notifier",
    "RecordingNotifier",
    "Reminder",
    "ReminderBook",
    "ReminderScheduler",
    "Schedule",
    "SystemClock",
    "parse_when",
]
