"""The built-in skills: reminders, the daily briefing, nightly consolidation.

They register through ``register`` like any other skill. Briefing and consolidation
run once a day at a local time; each claims its day in ``skill_runs`` first, so a
restart, a late start or a second tick never runs it twice for the same day.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from ..engine import ChatOptions, EngineError, Message
from ..engine.thinking import strip_thinking
from ..exchanges import ExchangeLog
from ..memory.instants import to_db
from .base import SkillContext, register
from .reminders import ReminderBook, ReminderScheduler
from .runs import SkillRuns

log = logging.getLogger(__name__)


def _day_bounds(day: date, context: SkillContext) -> tuple[str, str]:
    tz = context.settings.tz()
    start = datetime.combine(day, time.min, tz)
    return to_db(start), to_db(start + timedelta(days=1))


def _claim(context: SkillContext, name: str, day: date) -> bool:
    """Record that ``name`` runs for ``day``; False if it already did (restarts too)."""
    return SkillRuns(context.db).claim(name, day, context.clock.now())


def _due(context: SkillContext, at: str) -> date | None:
    """Today's date once the local time has passed ``at`` (HH:MM), else None."""
    local = context.clock.now().astimezone(context.settings.tz())
    return local.date() if local.time() >= time.fromisoformat(at) else None


def _write(context: SkillContext, facts: str, instruction: str, max_tokens: int = 160) -> str:
    """A short paragraph by the model from ``facts``; the facts alone if it fails."""
    if context.engine is None:
        return facts
    messages = [
        Message(
            "system",
            "You write short, plain summaries for the user of a "
            "phone assistant. Use only the facts given. " + instruction,
        ),
        Message("user", facts),
    ]
    try:
        text = strip_thinking(
            context.engine.chat(
                messages, ChatOptions(max_tokens=max_tokens, temperature=0.2)
            ).text()
        ).strip()
    except EngineError as exc:
        log.warning("summary generation failed, keeping the plain list: %s", exc)
        return facts
    return f"{text}\n\n{facts}" if text else facts


@register("reminders")
class RemindersSkill:
    name = "reminders"
    description = "Reminders by time, and by place, battery or wifi"
    enabled_by_default = True

    def __init__(self) -> None:
        self.scheduler: ReminderScheduler | None = None

    def for_context(self, context: SkillContext) -> ReminderScheduler:
        if self.scheduler is None:
            config = context.settings.skills
            self.scheduler = ReminderScheduler(
                ReminderBook(context.db, context.settings.tz()),
                context.notifier,
                context.clock,
                grace=timedelta(hours=config.grace_hours),
                quiet_hours=config.quiet_window(),
            )
        return self.scheduler

    def tick(self, context: SkillContext) -> None:
        self.for_context(context).tick()

    def on_events(self, context: SkillContext, events: list[Any]) -> None:
        self.for_context(context).on_events(events)


@register("briefing")
class BriefingSkill:
    name = "briefing"
    description = "A morning summary: today's reminders and yesterday's notable events"
    enabled_by_default = False

    def tick(self, context: SkillContext) -> None:
        today = _due(context, context.settings.skills.briefing_time)
        if today is None or not _claim(context, self.name, today):
            return
        text = _write(
            context,
            self.facts(context, today),
            "Write two or three friendly sentences for the start of the day.",
        )
        context.store.remember(
            text, kind="briefing", source="skills", meta={"day": today.isoformat()}
        )
        from .notify import Notification

        context.notifier.send(Notification(900_000 + today.toordinal() % 100_000, "Your day", text))

    def facts(self, context: SkillContext, today: date) -> str:
        """The deterministic part, always present even if generation fails."""
        tz = context.settings.tz()
        start, end = _day_bounds(today, context)
        reminders = ReminderBook(context.db, tz).due_between(start, end)
        lines = (
            ["Today's reminders:"]
            + [f"- {datetime.fromisoformat(r[1]).astimezone(tz):%H:%M} {r[0]}" for r in reminders]
            if reminders
            else ["No reminders today."]
        )
        y_start, y_end = _day_bounds(today - timedelta(days=1), context)
        places = context.store.lookup.texts_between("place", y_start, y_end)
        notes = context.store.lookup.metas_between("notification", y_start, y_end)
        if places:
            lines += ["Yesterday:"] + [f"- {p}" for p in places[:8]]
        if notes:
            apps = Counter(json.loads(r).get("app", "?").rsplit(".", 1)[-1] for r in notes)
            lines.append(
                "Notifications yesterday: "
                + ", ".join(f"{app} {count}" for app, count in apps.most_common(5))
            )
        return "\n".join(lines)


@register("consolidation")
class ConsolidationSkill:
    name = "consolidation"
    description = "Nightly: merge duplicates, retire outdated facts, summarize the day"
    enabled_by_default = True

    def tick(self, context: SkillContext) -> None:
        today = _due(context, context.settings.skills.consolidation_time)
        if today is None:
            return
        day = today - timedelta(days=1)
        if not _claim(context, self.name, day):
            return
        merged = self.merge_duplicates(context)
        retired = self.retire_facts(context)
        if not self.anything_on(context, day):
            log.info("consolidated %s: nothing happened that day, no episode", day)
            return
        summary = self.summarize(context, day)
        log.info("consolidated %s: %d duplicates merged, %d facts retired", day, merged, retired)
        context.store.remember(
            summary,
            kind="episode",
            source="skills",
            at=datetime.combine(day, time(21), context.settings.tz()),
            meta={"day": day.isoformat(), "merged": merged, "retired": retired},
        )

    def merge_duplicates(self, context: SkillContext) -> int:
        merged = 0
        for ids in context.store.lookup.duplicate_groups():
            keep, *others = sorted(ids)
            for other in others:
                context.store.supersede(other, keep)
                merged += 1
        return merged

    def retire_facts(self, context: SkillContext) -> int:
        retired = 0
        for ids in context.store.lookup.fact_groups():
            *older, newest = ids
            for old in older:
                context.store.supersede(old, newest)
                retired += 1
        return retired

    def anything_on(self, context: SkillContext, day: date) -> bool:
        start, end = _day_bounds(day, context)
        if context.store.lookup.any_between(start, end, besides=("episode", "briefing")):
            return True
        return ExchangeLog(context.db).any_between(start, end)

    def summarize(self, context: SkillContext, day: date) -> str:
        start, end = _day_bounds(day, context)
        rows = context.store.lookup.live_between(start, end, besides=("episode", "briefing"))
        kinds = Counter(row[0] for row in rows)
        asked = ExchangeLog(context.db).count_between(start, end)
        heading = f"{day:%A %d %B %Y}: " + (
            ", ".join(f"{count} {kind}" for kind, count in kinds.most_common()) or "a quiet day"
        )
        heading += f"; {asked} questions asked." if asked else "."
        places = [row[1] for row in rows if row[0] == "place"]
        facts = heading + ("\n" + "\n".join(f"- {p}" for p in places[:10]) if places else "")
        return _write(context, facts, "Summarize this day in one paragraph.")


@register("export")
class WeeklyExportSkill:
    name = "export"
    description = "Weekly: export new traces to $POCKETMIND_HOME/exports (stays on the phone)"
    enabled_by_default = False

    def tick(self, context: SkillContext) -> None:
        config = context.settings.skills
        today = _due(context, config.export_time)
        if today is None or today.weekday() != config.export_weekday:
            return
        if not _claim(context, self.name, today):
            return
        from ..training.export import default_export_dir, export

        report = export(
            context.store, context.db, context.settings, default_export_dir(context.settings)
        )
        log.info("weekly export: %s", report.counts)


__all__: list[Any] = ["BriefingSkill", "ConsolidationSkill", "RemindersSkill", "WeeklyExportSkill"]
