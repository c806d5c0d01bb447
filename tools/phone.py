"""Acting on the phone through termux-api and Android intents, with the real command
lines (see tests/termux_api/actions.md), so a fake on PATH sees what the phone would.

Every tool here that sends, calls, sets or opens something is ``external``: the agent
shows its resolved arguments and waits for the user's yes before :meth:`Tool.execute`
runs. Off the phone, a tool without an equivalent says so plainly; the notification
falls back to ``notify-send`` where there is one.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, HttpUrl

from ..sensing.termux import TermuxApi, TermuxError
from .base import Effect, NotOnThisDevice, Tool, ToolError, ToolResult
from .contacts import Contacts

ALARM = "android.intent.action.SET_ALARM"
EXTRA = "android.intent.extra.alarm."


class SendText(BaseModel):
    to: str = Field(description="a contact's name, a relation such as 'my sister', or a number")
    text: str = Field(min_length=1, max_length=1600, description="the message, exactly")


class Call(BaseModel):
    to: str = Field(description="a contact's name, a relation, or a number")


class Lookup(BaseModel):
    name: str = Field(min_length=1, description="a name or a relation such as 'Mum'")


class SentMessages(BaseModel):
    limit: int = Field(default=10, ge=1, le=50)


class Torch(BaseModel):
    on: bool


class Volume(BaseModel):
    stream: Literal["alarm", "music", "notification", "ring", "system", "call"] = "music"
    level: int = Field(ge=0, le=15)


class Text(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class OpenUrl(BaseModel):
    url: HttpUrl


class Share(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    title: str = Field(default="Share", max_length=100)


class Notify(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    text: str = Field(default="", max_length=1000)


class Alarm(BaseModel):
    hour: int = Field(ge=0, le=23)
    minute: int = Field(default=0, ge=0, le=59)
    label: str = Field(default="", max_length=100)


class CalendarEvent(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    start: datetime = Field(description="ISO 8601 with the user's offset")
    end: datetime
    location: str = Field(default="", max_length=200)


class Nothing(BaseModel):
    pass


class PhoneTools:
    """The phone's tools over one :class:`TermuxApi` (the real commands or a fake)."""

    def __init__(self, termux: TermuxApi, contacts: Contacts, timeout: float = 10.0) -> None:
        self.termux = termux
        self.contacts = contacts
        self.timeout = timeout

    def _run(self, command: str, *args: str, stdin: str | None = None) -> str:
        if not self.termux.has(command):
            raise NotOnThisDevice(f"{command} is not here: that needs the phone (termux-api)")
        try:
            return self.termux.run(command, *args, timeout=self.timeout, stdin=stdin)
        except (TermuxError, RuntimeError) as exc:
            raise ToolError(str(exc)) from exc

    def _json(self, command: str, *args: str) -> Any:
        if not self.termux.has(command):
            raise NotOnThisDevice(f"{command} is not here: that needs the phone (termux-api)")
        try:
            return self.termux.run_json(command, *args, timeout=self.timeout)
        except (TermuxError, RuntimeError) as exc:
            raise ToolError(str(exc)) from exc

    def send_text(self, args: SendText) -> ToolResult:
        contact = self.contacts.resolve(args.to)
        self._run("termux-sms-send", "-n", contact.number, args.text)
        return ToolResult(f"Sent to {contact}: {args.text!r}", {"to": contact.number})

    def call(self, args: Call) -> ToolResult:
        contact = self.contacts.resolve(args.to)
        self._run("termux-telephony-call", contact.number)
        return ToolResult(f"Calling {contact}", {"to": contact.number})

    def lookup(self, args: Lookup) -> ToolResult:
        contact = self.contacts.resolve(args.name)
        return ToolResult(str(contact), {"name": contact.name, "number": contact.number})

    def sent_messages(self, args: SentMessages) -> ToolResult:
        rows = self._json("termux-sms-list", "-t", "sent", "-l", str(args.limit))
        bodies = [str(r.get("body", "")) for r in rows if isinstance(r, dict)]
        return ToolResult("\n".join(bodies) or "no sent messages", {"messages": bodies})

    def torch(self, args: Torch) -> ToolResult:
        self._run("termux-torch", "on" if args.on else "off")
        return ToolResult(f"Torch {'on' if args.on else 'off'}")

    def volume(self, args: Volume) -> ToolResult:
        self._run("termux-volume", args.stream, str(args.level))
        return ToolResult(f"{args.stream} volume set to {args.level}")

    def clipboard(self, args: Text) -> ToolResult:
        self._run("termux-clipboard-set", args.text)
        return ToolResult("Copied to the clipboard")

    def open_url(self, args: OpenUrl) -> ToolResult:
        self._run("termux-open-url", str(args.url))
        return ToolResult(f"Opened {args.url}")

    def share(self, args: Share) -> ToolResult:
        self._run("termux-share", "-a", "send", "-t", args.title, stdin=args.text)
        return ToolResult("Opened the share sheet")

    def speak(self, args: Text) -> ToolResult:
        self._run("termux-tts-speak", args.text)
        return ToolResult("Spoken")

    def notify(self, args: Notify) -> ToolResult:
        if self.termux.has("termux-notification"):
            self._run("termux-notification", "-t", args.title, "-c", args.text)
        elif shutil.which("notify-send"):
            subprocess.run(["notify-send", args.title, args.text], check=True, timeout=self.timeout)
        else:
            raise NotOnThisDevice("no way to show a notification here")
        return ToolResult(f"Notified: {args.title}")

    def alarm(self, args: Alarm) -> ToolResult:
        out = self._run(
            "am", "start", "-a", ALARM,
            "--ei", f"{EXTRA}HOUR", str(args.hour),
            "--ei", f"{EXTRA}MINUTES", str(args.minute),
            "--es", f"{EXTRA}MESSAGE", args.label,
            "--ez", f"{EXTRA}SKIP_UI", "true",
        )  # fmt: skip
        _check_am(out)
        return ToolResult(f"Alarm set for {args.hour:02d}:{args.minute:02d}")

    def calendar(self, args: CalendarEvent) -> ToolResult:
        if args.end <= args.start:
            raise ToolError("the event must end after it starts")
        extra = ["--es", "eventLocation", args.location] if args.location else []
        out = self._run(
            "am", "start", "-a", "android.intent.action.INSERT",
            "-d", "content://com.android.calendar/events",
            "--es", "title", args.title,
            "--el", "beginTime", str(int(args.start.timestamp() * 1000)),
            "--el", "endTime", str(int(args.end.timestamp() * 1000)),
            *extra,
        )  # fmt: skip
        _check_am(out)
        return ToolResult(f"Opened the calendar with {args.title!r}: tap Save to keep it")

    def battery(self, _args: Nothing) -> ToolResult:
        data = self._json("termux-battery-status")
        return ToolResult(
            f"Battery {data.get('percentage')}%, {str(data.get('status', '')).lower()}",
            {"percentage": data.get("percentage"), "status": data.get("status")},
        )

    def wifi(self, _args: Nothing) -> ToolResult:
        data = self._json("termux-wifi-connectioninfo")
        ssid = data.get("ssid")
        if not ssid or ssid == "<unknown ssid>":
            return ToolResult("Not connected to a wifi network (or location is off)", {})
        return ToolResult(f"Connected to {ssid}", {"ssid": ssid})

    def location(self, _args: Nothing) -> ToolResult:
        data = self._json("termux-location", "-p", "network", "-r", "last")
        lat, lon = data.get("latitude"), data.get("longitude")
        return ToolResult(f"{lat:.5f}, {lon:.5f}", {"latitude": lat, "longitude": lon})

    def tools(self) -> list[Tool[Any]]:
        ext, read = Effect.EXTERNAL, Effect.READ
        return [
            Tool("send_text", "Send an SMS to a contact", SendText, ext, self.send_text,
                 lambda a: f"Text {self.contacts.resolve(a.to)}: {a.text!r}"),
            Tool("call", "Phone a contact", Call, ext, self.call,
                 lambda a: f"Call {self.contacts.resolve(a.to)}"),
            Tool("contact_lookup", "Find a contact's number", Lookup, read, self.lookup),
            Tool("sent_messages", "The user's own recent texts (for their style)",
                 SentMessages, read, self.sent_messages),
            Tool("torch", "Turn the torch on or off", Torch, ext, self.torch),
            Tool("set_volume", "Set a volume stream (0-15)", Volume, ext, self.volume),
            Tool("copy", "Put text on the clipboard", Text, ext, self.clipboard,
                 lambda a: f"Copy to the clipboard: {a.text!r}"),
            Tool("open_url", "Open a web address", OpenUrl, ext, self.open_url),
            Tool("share", "Share text through another app", Share, ext, self.share),
            Tool("speak", "Say text out loud", Text, ext, self.speak,
                 lambda a: f"Say out loud: {a.text!r}"),
            Tool("notify", "Show a notification on this phone", Notify, Effect.LOCAL,
                 self.notify),
            Tool("set_alarm", "Set an alarm in the clock app", Alarm, ext, self.alarm,
                 lambda a: f"Set an alarm for {a.hour:02d}:{a.minute:02d}"
                 + (f" ({a.label})" if a.label else "")),
            Tool("add_calendar_event", "Open a new calendar event to save", CalendarEvent,
                 ext, self.calendar,
                 lambda a: f"Add {a.title!r} to the calendar, {a.start:%a %d %b %H:%M}"
                 f"-{a.end:%H:%M}"),
            Tool("battery", "The battery level now", Nothing, read, self.battery),
            Tool("wifi", "The wifi network now", Nothing, read, self.wifi),
            Tool("location", "Where the phone is now", Nothing, read, self.location),
        ]  # fmt: skip


def _check_am(out: str) -> None:
    """``am`` exits 0 even when Android refused to start the activity."""
    lowered = out.lower()
    if "error" in lowered or "warning: activity not started" in lowered:
        raise ToolError(
            "Android did not open it: from the background, Termux needs 'Display over other "
            "apps' (Settings > Apps > Termux > Display over other apps)"
        )
