"""PocketMind: a personal assistant that lives on your phone and remembers your life."""

__version__ = "0.1.0"
