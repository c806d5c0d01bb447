"""The sections of ``Settings``: one pydantic model per table of config.toml, each
field with its default, bounds and description (``pocketmind doctor`` and the README
read them from here)."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .. import host
from .base import _Section


class MemorySettings(_Section):
    max_text_bytes: int = Field(
        default=64 * 1024, ge=1, description="Longest memory text accepted, in UTF-8 bytes."
    )
    dedup_threshold: float = Field(
        default=0.95,
        ge=0.0,
        le=1.0,
        description="Cosine similarity above which a new memory of the same kind and source "
        "within the dedup window updates the existing one instead of adding a row.",
    )
    dedup_window_hours: float = Field(
        default=24.0,
        ge=0.0,
        le=100 * 366 * 24,
        description="Time window for near-duplicate detection (at most a century).",
    )
    batch_size: int = Field(default=256, ge=1, description="Rows per transaction on import.")
    forget_min_similarity: float = Field(
        default=0.4,
        ge=-1.0,
        le=1.0,
        description="Forgetting by query takes only memories at least this similar to the "
        "query (cosine), so a query that matches nothing forgets nothing. Measured with "
        "all-MiniLM-L6-v2 by bench/forget.py.",
    )


class EmbedderSettings(_Section):
    backend: Literal["sentence-transformers", "llama", "http", "fake"] = Field(
        default_factory=lambda: host.default_embedder_backend(),
        description="Which embedder computes memory vectors. sentence-transformers: torch "
        "(the desktop default); llama: a GGUF through llama.cpp in process (the phone "
        "default); http: llama-server --embeddings; fake: for tests. Switching to another "
        "embedding space needs `pocketmind memory reindex`.",
    )
    model: str | None = Field(
        default=None,
        description="sentence-transformers: a model directory (default: the packaged "
        "all-MiniLM-L6-v2). llama and http: the GGUF file (default: "
        "$POCKETMIND_HOME/models/embed/all-MiniLM-L6-v2.gguf, from `pocketmind models pull "
        "all-minilm-l6-v2`).",
    )
    url: str = Field(
        default="http://127.0.0.1:8081/v1",
        description="http: base URL of llama-server --embeddings.",
    )
    server_model: str | None = Field(default=None, description="http: model name to send.")
    api_key_file: Path | None = Field(
        default=None, description="http: file holding the server's key (llama-server)."
    )
    threads: int | None = Field(default=None, ge=1, description="llama: CPU threads.")
    idle_unload_s: float | None = Field(
        default=30.0,
        gt=0,
        description="llama: close the embedding model after this long unused, load it again "
        "when needed (0.03-0.08 s here); an idle daemon then holds ~74 MiB less. None: keep it.",
    )
    batch_size: int = Field(default=64, ge=1)
    fake_dim: int = Field(default=64, ge=8, description="Dimension of the fake embedder.")


class EngineSettings(_Section):
    """The chat model. Qwen3 GGUFs are the production target; SmolLM2 ships as default."""

    backend: Literal["llama", "http", "fake"] = Field(
        default="llama",
        description="llama: llama-cpp-python in process; http: an OpenAI-compatible server "
        "(llama-server on Termux); fake: scripted replies, for tests.",
    )
    model: Path | None = Field(
        default=None,
        description="A GGUF file. Default: the first GGUF in $POCKETMIND_HOME/models, else "
        "the packaged SmolLM2-135M-Instruct.",
    )
    lora: Path | None = Field(default=None, description="A GGUF LoRA adapter to apply.")
    default_adapter: bool = Field(
        default=True,
        description="With the packaged SmolLM2 and no adapter installed, apply the shipped "
        "default adapter (trained for PocketMind's answers, facts and tool calls). With the "
        "support check it answers 0.74 of 60 held-out questions as fact, against 0.19 "
        "without it, and states no unsupported answer (bench/answers.py).",
    )
    context_size: int = Field(default=4096, ge=256, description="Context window in tokens.")
    threads: int | None = Field(
        default=None, ge=1, description="CPU threads (default: all; on a phone, big cores)."
    )
    kv_cache: Literal["f16", "q8_0"] = Field(
        default_factory=lambda: host.default_kv_cache(),
        description="Type of the attention cache. q8_0 (the phone default, with flash "
        "attention) about halves it: at a 4k context SmolLM2's goes from 90 to 48 MiB, "
        "Qwen3-0.6B's from 448 to 238 MiB. f16 elsewhere.",
    )
    ubatch: int = Field(
        default_factory=lambda: host.default_ubatch(),
        ge=8,
        le=4096,
        description="Prompt tokens computed at once (llama.cpp n_ubatch): 128 on a phone "
        "(a quarter of the compute buffer, the same prefill speed on a CPU), 512 elsewhere.",
    )
    answer_tokens: int = Field(default=256, ge=1, description="Most tokens in an answer.")
    temperature: float = Field(default=0.2, ge=0, le=2)
    tool_calls: Literal["guided", "model"] = Field(
        default="guided",
        description="How a client's tools on /v1/chat/completions are called. guided: the "
        "request's words shortlist the tools, cut a message into its requests and give "
        "the values an argument may copy; the model chooses among them. model: the model "
        "alone picks and fills, under the tools' schemas (for a big model).",
    )
    thinking: bool = Field(
        default=False, description="Let Qwen3 think before answering (slower on a phone)."
    )
    keep_thinking: bool = Field(
        default=False, description="Keep <think> blocks in stored traces (never shown)."
    )
    url: str = Field(
        default="http://127.0.0.1:8080/v1", description="Base URL of the OpenAI-compatible server."
    )
    api_key_file: Path | None = Field(default=None, description="File holding the server's key.")
    http_model: str | None = Field(default=None, description="Model name sent to the server.")
    timeout_s: float = Field(default=120.0, gt=0, description="HTTP engine request timeout.")

    @model_validator(mode="after")
    def _answer_fits(self) -> EngineSettings:
        if self.answer_tokens >= self.context_size:
            raise ValueError(
                f"answer_tokens ({self.answer_tokens}) must be smaller than context_size "
                f"({self.context_size}): the prompt needs room too"
            )
        return self


class ChatSettings(_Section):
    persona: str = Field(
        default="You are PocketMind, a personal assistant that lives on the user's phone "
        "and remembers their life. Answer briefly and concretely, using the memories when "
        "they help. If the memories do not say, say you do not know.",
        description="The start of every system prompt.",
    )
    memories: int = Field(default=8, ge=0, le=100, description="Memories retrieved per turn.")
    profile_facts: int = Field(
        default=12, ge=0, description="Facts about the user in the stable system prefix."
    )
    history_turns: int = Field(default=6, ge=0, description="Earlier turns kept in the prompt.")
    extract_facts: bool = Field(
        default=True, description="Learn durable facts from the user's own words."
    )
    check_support: bool = Field(
        default=True,
        description="Check a personal answer against the memories it cites before showing "
        'it; one they do not support becomes "I\'m not sure. The closest memory: ..." '
        "(bench/answers.py).",
    )


class DaemonSettings(_Section):
    tcp_port: int | None = Field(
        default=None,
        ge=1024,
        le=65535,
        description="Also serve the API on 127.0.0.1:PORT, behind the bearer token in "
        "$POCKETMIND_HOME/run/api-token (other Android apps can reach loopback ports).",
    )
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, description="Largest request.")
    ingest_capacity: int = Field(
        default=10_000, ge=1, description="Events acknowledged but not yet remembered, at most."
    )
    ingest_batch: int = Field(default=256, ge=1, description="Events remembered per batch.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info",
        description="The daemon log's level. Only 'debug' writes memory and chat text "
        "(what a dropped fact said, a malformed reply); the others log ids and counts.",
    )


class SensingSettings(_Section):
    """What the daemon senses. Clipboard, SMS and call log are opt-in, off by default."""

    sensors: list[str] = Field(
        default=["battery", "wifi", "location", "notifications"],
        description="Enabled sensors (also: clipboard, sms, calls).",
    )
    battery_interval_s: float = Field(default=120, ge=0.01)
    wifi_interval_s: float = Field(default=120, ge=0.01)
    location_interval_s: float = Field(default=300, ge=0.01)
    notifications_interval_s: float = Field(default=60, ge=0.01)
    optin_interval_s: float = Field(default=300, ge=0.01)
    termux_timeout_s: float = Field(default=10, gt=0, description="Per termux-api call.")
    max_backoff_s: float = Field(default=3600, ge=1, description="Longest wait after failures.")
    low_battery_percent: int = Field(default=20, ge=0, le=100)
    low_battery_factor: float = Field(
        default=3.0, ge=1, description="Interval multiplier while low and unplugged."
    )
    battery_thresholds: list[int] = Field(default=[20, 10, 5])
    place_radius_m: float = Field(default=150, gt=0)
    place_min_dwell_s: float = Field(default=600, ge=0, description="Stay to make a new place.")
    notification_apps_allow: list[str] = Field(
        default=[], description="Only these packages (empty: all not denied)."
    )
    notification_apps_deny: list[str] = Field(
        default=["android", "com.android.systemui", "com.termux", "com.termux.api"],
        description="Packages never sensed (Termux's own: PocketMind's reminders).",
    )
    watch_folders: list[Path] = Field(
        default=[], description="Folders whose text and Markdown files become memories."
    )

    @field_validator("sensors")
    @classmethod
    def _known_sensors(cls, value: list[str]) -> list[str]:
        known = {"battery", "wifi", "location", "notifications", "clipboard", "sms", "calls"}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown sensors {unknown}; known: {sorted(known)}")
        return value


class PlansSettings(_Section):
    """Where the planner reads busy times, and how far it replans on its own."""

    calendars: list[Path] = Field(
        default=[], description="iCalendar files or folders of .ics files (busy times)."
    )
    reminder_minutes: int = Field(
        default=15, ge=0, le=24 * 60, description="How long a due reminder keeps you busy."
    )
    max_replans: int = Field(
        default=2, ge=0, le=10, description="Replans a plan may make after failed steps."
    )
    travel_kmh: float = Field(
        default=15.0, gt=0, le=200, description="Speed across town between named places."
    )


class SkillsSettings(_Section):
    quiet_hours: str | None = Field(
        default=None,
        pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$",
        description="Hold non-urgent notifications in this local window, e.g. 22:00-07:00.",
    )
    grace_hours: float = Field(
        default=6, ge=0, description="A reminder missed by more than this is not shown late."
    )
    briefing_time: str = Field(
        default="07:30", pattern=r"^\d{2}:\d{2}$", description="Local time of the briefing."
    )
    consolidation_time: str = Field(
        default="03:30", pattern=r"^\d{2}:\d{2}$", description="Local time of consolidation."
    )
    export_weekday: int = Field(default=6, ge=0, le=6, description="0 Monday … 6 Sunday")
    export_time: str = Field(default="04:00", pattern=r"^\d{2}:\d{2}$")
    context_cooldown_min: float = Field(
        default=30, ge=0, description="A context reminder does not fire again sooner."
    )
    confirm_ttl_s: float = Field(
        default=600,
        gt=0,
        le=7 * 24 * 3600,
        description="An action proposed on the phone (a text, a call, an alarm) waits this "
        "long for the user's yes, then expires and never runs.",
    )

    @field_validator("briefing_time", "consolidation_time", "export_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        _clock_time(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            for part in value.split("-"):
                _clock_time(part)
        return value

    def quiet_window(self) -> tuple[time, time] | None:
        if not self.quiet_hours:
            return None
        start, end = (_clock_time(part) for part in self.quiet_hours.split("-"))
        return start, end


def _clock_time(text: str) -> time:
    """``HH:MM`` (``H:MM`` too) as a time of day, or a ValueError that says why not."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ValueError(f"{text!r} is not a time of day from 00:00 to 23:59")
    return time(int(hours), int(minutes))


class ExportSettings(_Section):
    redact: bool = Field(default=True, description="Redact exports (emails, phones, cards…).")
    redact_names: list[str] = Field(default=[], description="Names replaced by [name] in exports.")


class TrainSettings(_Section):
    """The offline LoRA refresh (extra [train]); defaults from the seed experiment."""

    rank: int = Field(default=8, ge=1, le=256)
    alpha: float = Field(default=32, gt=0)
    dropout: float = Field(default=0.1, ge=0, lt=1)
    targets: list[str] = Field(default=["q_proj", "v_proj"])
    layers: int = Field(
        default=0, ge=0, description="LoRA on the top N layers only (0: all); cheaper on a CPU."
    )
    lr: float = Field(default=2e-5, gt=0)
    epochs: int = Field(default=3, ge=1)
    batch: int = Field(default=4, ge=1, description="Effective batch (gradient accumulation).")
    folds: int = Field(default=3, ge=2)
    folds_run: int = Field(
        default=0, ge=0, description="Train and measure only the first N folds (0: all)."
    )
    finish_fold: bool = Field(
        default=False,
        description="The final adapter is the first fold's, finished on its held-out chats: "
        "one pass over the data instead of two (for a CPU).",
    )
    eval_answers: int = Field(
        default=0, ge=0, description="Held-out answers generated per fold (0: all of them)."
    )
    seed: int = 0
    margin: float = Field(
        default=0.05,
        ge=0,
        lt=1,
        description="Promotable when held-out loss beats the base by this fraction.",
    )
