"""The usual style: the habits of the user's own sent texts, put on the new text."""

from __future__ import annotations

from fake_termux import SHAPES

from pocketmind.engine.base import Message
from pocketmind.engine.fake import FakeEngine
from pocketmind.sensing.termux import FakeTermuxApi
from pocketmind.tools.agent import Agent
from pocketmind.tools.commands import read_command
from pocketmind.tools.contacts import Contacts
from pocketmind.tools.gate import Gate
from pocketmind.tools.phone import PhoneTools
from pocketmind.tools.style import Style, learn

JONAS = "015112345678"


def test_habits_most_sent_texts_share_are_learned() -> None:
    style = learn(["see you at 6 x", "on my way x", "love it x", "ok"])
    assert style == Style(lowercase=True, full_stop=False, sign_off="x")
    assert style.apply("The dinner is off.") == "the dinner is off x"
    assert learn(["Running late.", "Home now.", "See you"]).apply("Dinner is off") == (
        "Dinner is off."
    )
    assert learn([]).apply("Dinner is off!") == "Dinner is off!"  # nothing to go by
    assert learn(["Yes x", "No."]).sign_off == ""  # one of two is not a habit


def test_a_text_in_my_usual_style_reads_the_sent_texts_first() -> None:
    command = read_command("Draft a text to Jonas in my usual style saying the dinner is off")
    assert command is not None
    assert [c.name for c in command.calls] == ["sent_messages", "send_text"]
    sent = '[{"type": "sent", "body": "omw x"}, {"type": "sent", "body": "ok see u x"}]'
    termux = FakeTermuxApi(
        {
            "termux-sms-list": sent,
            "termux-contact-list": (SHAPES / "contact-list.json").read_text(),
            "termux-sms-send": "",
        }
    )
    tools = PhoneTools(termux, Contacts(termux)).tools()
    gate = Gate()
    outcome = Agent(FakeEngine(), tools, gate).run(
        [Message("user", "Draft a text to Jonas in my usual style saying the dinner is off")]
    )
    assert outcome.pending is not None
    assert outcome.pending.arguments == {"to": "Jonas", "text": "the dinner is off x"}
    assert ["termux-sms-list", "-t", "sent", "-l", "10"] in termux.calls
    assert not [c for c in termux.calls if c[0] == "termux-sms-send"]  # waits for the yes
