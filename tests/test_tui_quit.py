"""Quitting while a poll is under way: the poll's report comes back to an app whose screens
are gone, and must be dropped, not crash the TUI on its way out."""

from __future__ import annotations

from pocketmind.settings import Settings
from pocketmind.tui import PocketMindApp


async def test_a_poll_that_reports_back_after_quitting_is_dropped(settings: Settings) -> None:
    app = PocketMindApp(settings, poll_s=60)
    async with app.run_test(size=(50, 25)) as pilot:
        await pilot.pause()
        assert app.screen_stack
    assert not app.screen_stack  # quit: the screens are gone
    # what a poll thread under way at the quit hands back afterwards
    app.apply_state("running", {"model": "SmolLM2-135M-Instruct.Q4_1.gguf"}, "")
    app.apply_state("starting", None, "loading the model")
    app.alert({"id": 1, "due_at": "2025-01-01T09:00:00+00:00", "text": "call Maya"})
    assert not app.screen_stack and not app.shown
