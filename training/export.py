"""``pocketmind export``: the traces, feedback and memories, as training data.

- ``sft.jsonl``: one chat per line in the messages format: the system message as the
  daemon built it (with the retrieved memories), the earlier turns, the question, and
  the answer as the assistant target. Answers the user marked bad are left out, and so
  is any answer built on untrusted memories (text written by apps and other people: a
  notification, a file…, in its prompt) unless the user marked it good: a poisoned
  notification must not become a training label, paraphrased or not. The manifest counts
  those that repeat such text (six words or more in a row) apart from the rest.
- ``dpo.jsonl``: preference pairs from feedback: the user's correction is chosen, the
  answer they marked bad is rejected.
- ``memories.jsonl``: a snapshot of the live memories.
- ``actions.jsonl``: the finished tool calls from the actions audit (``tools/actions.py``),
  redacted like the rest; a forgotten action is deleted there, so it is not here either.
  The calls the user asked for and that were done also join ``sft.jsonl`` as tool-call
  turns in the OpenAI messages format (``tool_turns``).
- ``manifest.json``: counts, sha256 of each file, the watermark the next export starts
  from, model and adapter ids, and the redaction used.

Forgotten memories are deleted and the exchanges that used them blanked, so neither can
appear. Redaction (on by default, see ``redaction.py``) removes emails, phone numbers, card
numbers, IBANs, passwords, one-time codes and the names the user listed. Nothing leaves
the phone: the files are written to the folder given, for the user to move.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..db import Database
from ..exchanges import ExchangeLog
from ..memory import MemoryStore
from ..memory.instants import to_db
from ..privacy import private_dir, write_private
from ..schema import exporter
from ..settings import Settings
from ..validation import InputError
from .exports import ExportLog
from .redaction import Redactor

_WORDS = re.compile(r"\w+")
ECHO_WORDS = 6


@dataclass(frozen=True)
class Watermark:
    """The highest exchange, feedback, memory and action already exported:
    "e12.f3.m140.a7" (watermarks written before actions were exported end at the m)."""

    exchange: int = 0
    feedback: str = ""
    memory: int = 0
    action: int = 0

    def __str__(self) -> str:
        return f"e{self.exchange}.f{self.feedback or '0'}.m{self.memory}.a{self.action}"

    @classmethod
    def parse(cls, text: str) -> Watermark:
        match = re.fullmatch(r"e(\d+)\.f([0-9T:.+-]+?|0)\.m(\d+)(?:\.a(\d+))?", text.strip())
        if match is None:
            raise InputError(f"--since: not a watermark: {text!r} (like e12.f0.m140.a0)")
        feedback = "" if match[2] == "0" else match[2]
        return cls(int(match[1]), feedback, int(match[3]), int(match[4] or 0))


@dataclass
class ExportReport:
    watermark: Watermark
    since: Watermark
    counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())


def record_feedback(
    db: Database, exchange_id: int, rating: str, correction: str | None = None
) -> None:
    """The user's verdict on an answer; a later one replaces an earlier one."""
    ExchangeLog(db).record_feedback(exchange_id, rating, correction)


def default_export_dir(settings: Settings) -> Path:
    return settings.home / "exports" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def last_watermark(db: Database) -> Watermark:
    last = ExportLog(db).last_watermark()
    return Watermark.parse(last) if last else Watermark()


def _echoes(answer: str, sources: list[str]) -> bool:
    """Whether ``answer`` repeats ECHO_WORDS or more consecutive words of a source."""
    words = [w.lower() for w in _WORDS.findall(answer)]
    grams = {tuple(words[i : i + ECHO_WORDS]) for i in range(len(words) - ECHO_WORDS + 1)}
    for source in sources:
        src = [w.lower() for w in _WORDS.findall(source)]
        if any(tuple(src[i : i + ECHO_WORDS]) in grams for i in range(len(src) - ECHO_WORDS + 1)):
            return True
    return False


def export(
    store: MemoryStore,
    db: Database,
    settings: Settings,
    out: Path,
    since: Watermark | None = None,
    progress: Callable[[int], object] | None = None,
) -> ExportReport:
    """Write what is new since ``since`` (default: the last export) to ``out``. Each
    owner gives its rows: the memories from ``store``, the exchanges and the export log
    from ``db`` (the Database the store is on)."""
    start = since if since is not None else last_watermark(db)
    scrub = Redactor(settings)
    report = ExportReport(
        start, start, skipped={"bad_answer": 0, "untrusted_echo": 0, "untrusted_source": 0}
    )
    exchanges = ExchangeLog(db)
    sft, dpo, exchange_max = _exchanges(store, exchanges, start, scrub, report, progress)
    feedback_max = exchanges.latest_feedback_at()
    memories, memory_max = _memories(store, start, scrub)
    actions, action_max = exporter("actions")(db, start.action, scrub)
    turns = tool_turns(actions, exchanges, scrub)
    sft += turns
    report.counts = {
        "sft": len(sft),
        "tool_turns": len(turns),
        "dpo": len(dpo),
        "memories": len(memories),
        "actions": len(actions),
    }
    report.watermark = Watermark(
        max(exchange_max, start.exchange),
        max(feedback_max, start.feedback),
        max(memory_max, start.memory),
        max(action_max, start.action),
    )
    if report.empty:
        return report
    for folder in (out.parent, out):  # the ones made here are 0700, the files 0600
        if not folder.exists():
            private_dir(folder)
    for name, rows in (
        ("sft.jsonl", sft),
        ("dpo.jsonl", dpo),
        ("memories.jsonl", memories),
        ("actions.jsonl", actions),
    ):
        data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
        write_private(out / name, data)
        report.files[name] = {"lines": len(rows), "sha256": hashlib.sha256(data).hexdigest()}
    latest = exchanges.latest_model()
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "since": str(start),
        "watermark": str(report.watermark),
        "counts": report.counts,
        "skipped": report.skipped,
        "files": report.files,
        "model_id": latest[0] if latest else None,
        "adapter_id": latest[1] if latest else None,
        "redaction": scrub.describe(),
    }
    write_private(out / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())
    ExportLog(db).record(str(report.watermark), str(out))
    return report


def _exchanges(
    store: MemoryStore,
    exchanges: ExchangeLog,
    start: Watermark,
    scrub: Redactor,
    report: ExportReport,
    progress: Callable[[int], object] | None,
) -> tuple[list[Any], list[Any], int]:
    sft: list[dict[str, Any]] = []
    dpo: list[dict[str, Any]] = []
    top = start.exchange
    rows = exchanges.for_export(start.exchange, start.feedback or "")
    replaced = exchanges.regenerations()  # original -> its latest regeneration
    answers = {row["id"]: row for row in rows}
    for row in rows:
        top = max(top, row["id"])
        if row["id"] in replaced:  # the user asked again: this one was not kept
            continue
        original = answers.get(row["regenerates"]) if row["regenerates"] else None
        if original is None and row["regenerates"]:
            original = exchanges.live_row(row["regenerates"])
        if (
            original is not None
            and row["rating"] != "bad"
            and row["id"] > start.exchange
            and replaced.get(original["id"]) == row["id"]
        ):
            dpo.append(
                {
                    "prompt": [
                        {"role": m["role"], "content": scrub(m["content"])}
                        for m in json.loads(original["prompt"])
                    ],
                    "chosen": scrub(row["answer"]),
                    "rejected": scrub(original["answer"]),
                    "meta": {
                        "exchange_id": row["id"],
                        "regenerates": original["id"],
                        "source": "regenerated",
                    },
                }
            )
        prompt = [
            {"role": m["role"], "content": scrub(m["content"])} for m in json.loads(row["prompt"])
        ]
        answer = scrub(row["answer"])
        meta = {
            "exchange_id": row["id"],
            "conversation_id": row["conversation_id"],
            "model_id": row["model_id"],
            "adapter_id": row["adapter_id"],
            "created_at": row["created_at"],
        }
        if row["rating"] == "bad":
            report.skipped["bad_answer"] += row["id"] > start.exchange
            if row["correction"] and (row["feedback_at"] or "") > (start.feedback or ""):
                dpo.append(
                    {
                        "prompt": prompt,
                        "chosen": scrub(row["correction"]),
                        "rejected": answer,
                        "meta": meta,
                    }
                )
        else:
            target = {"messages": [*prompt, {"role": "assistant", "content": answer}], "meta": meta}
            _target(store, exchanges, row, start, target, sft, report)
        if progress:
            progress(1)
    return sft, dpo, top


def _target(
    store: MemoryStore,
    exchanges: ExchangeLog,
    row: Any,
    start: Watermark,
    target: dict[str, Any],
    sft: list[dict[str, Any]],
    report: ExportReport,
) -> None:
    """Add an answer not marked bad to the SFT targets, unless it was built on untrusted
    memories (in its prompt) and the user has not marked it good. A good mark given after
    an earlier export brings such an answer in late."""
    new = row["id"] > start.exchange
    good = row["rating"] == "good"
    if not (new or (good and (row["feedback_at"] or "") > (start.feedback or ""))):
        return
    used = store.get_many(exchanges.memory_ids(row["id"]))
    untrusted = [m.text for m in used.values() if m.untrusted]
    if (good and untrusted) or (new and not untrusted):
        sft.append(target)  # vouched for by the user, or built on trusted memories only
    elif new and untrusted:
        echo = _echoes(row["answer"], untrusted)
        report.skipped["untrusted_echo" if echo else "untrusted_source"] += 1


def tool_turns(
    actions: list[dict[str, Any]], exchanges: ExchangeLog, scrub: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The user's own tool use as SFT chats in the OpenAI messages format: what they asked,
    the call (``tool_calls``) and what it gave back (a ``tool`` turn). Only calls the
    user asked for in a chat and that were done (confirmed, for an external one) teach;
    the request is the conversation's turn that proposed the call, redacted like the rest.
    A call that followed a "yes" (a later step of a command) has no request of its own."""
    out = []
    for action in actions:
        if action["status"] != "done" or action["origin"] != "user":
            continue
        conversation = action.get("conversation_id")
        at = to_db(datetime.fromisoformat(action["created_at"]))
        request = exchanges.request_at(conversation, at) if conversation else None
        if request is None or _CONFIRMATION.fullmatch(request.strip().lower()):
            continue
        call = {
            "id": f"call_{action['id']}",
            "type": "function",
            "function": {
                "name": action["tool"],
                "arguments": json.dumps(action["arguments"], ensure_ascii=False),
            },
        }
        messages = [
            {"role": "user", "content": scrub(request)},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call["id"], "content": action["result"] or ""},
        ]
        out.append({"messages": messages, "meta": {"action_id": action["id"]}})
    return out


_CONFIRMATION = re.compile(r"(yes|yeah|yep|ok|okay|sure|do it|go ahead|no|nope|cancel)\W*")


def _memories(store: MemoryStore, start: Watermark, scrub: Redactor) -> tuple[list[Any], int]:
    out = []
    top = start.memory
    for memory in store.iter_memories(after=start.memory):
        if memory.superseded_by is not None:
            continue
        top = max(top, memory.id)
        out.append(
            {
                "id": memory.id,
                "text": scrub(memory.text),
                "kind": memory.kind,
                "source": memory.source,
                "occurred_at": to_db(memory.occurred_at),
                "untrusted": memory.untrusted,
                "meta": memory.meta,
            }
        )
    return out, top
