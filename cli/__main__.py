"""``python -m pocketmind.cli``: what ``pocketmind start`` runs in the background."""

from .main import main

main()
