"""``pocketmind doctor``: what this machine can do, and what to fix, one line each.

Every check is a small function returning :class:`Finding` objects; none of them loads
a model (a phone should not spend a minute and half its memory on a health check), but
each opens what it checks: the database with sqlite-vec in it, the GGUF headers, the
termux-api commands under the same timeout the sensors use, the engine's server.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from collections.abc import Iterator
from dataclasses import asdict

from .. import host
from ..settings import Settings
from .calendars import check_calendars
from .finding import Check, Finding, MiB, Status
from .models import check_embedder, check_engine
from .overlay import check_overlay
from .phone import TERMUX_COMMANDS, check_termux
from .reach import check_notifier, check_sensors


def check_platform(settings: Settings) -> Iterator[Finding]:
    where = "Android (Termux)" if host.is_android() else sys.platform
    yield Finding("ok", "python", f"{sys.version.split()[0]} on {where}")
    if host.is_android():
        cores = host.big_cores()
        threads = settings.engine.threads or host.default_threads()
        yield Finding("info", "cpu", f"big cores {cores}; llama.cpp uses {threads} threads")
        if threads > len(cores):
            yield Finding(
                "warn",
                "threads",
                f"engine.threads = {threads} is more than the {len(cores)} big cores",
                f"set engine.threads = {len(cores)}: little cores slow every token down",
            )


def check_sqlite(settings: Settings) -> Iterator[Finding]:
    from ..db import StorageError, connect, sqlite_module, sqlite_vec_source, vec_version

    try:
        module = sqlite_module()
    except StorageError as exc:
        yield Finding("fix", "sqlite extensions", str(exc), "pip install sqlean.py")
        return
    yield Finding("ok", "sqlite extensions", f"{module.__name__} can load extensions")
    try:
        source = sqlite_vec_source()
        conn = connect(":memory:")
    except StorageError as exc:
        fix = "run termux/install.sh" if host.is_android() else "pip install sqlite-vec"
        yield Finding("fix", "sqlite-vec", str(exc), fix)
        return
    try:
        yield Finding("ok", "sqlite-vec", f"{vec_version(conn)} from {source}")
    finally:
        conn.close()


def check_database(settings: Settings) -> Iterator[Finding]:
    """``PRAGMA integrity_check`` over the memory database, when there is one."""
    from ..memory.recover import integrity

    if not settings.db_path.is_file():
        return
    problems = integrity(settings.db_path)
    if problems == ["ok"]:
        yield Finding("ok", "database integrity", f"{settings.db_path}: integrity_check ok")
        return
    lines = [
        line.strip()
        for problem in problems
        for line in problem.splitlines()
        if line.strip() and not line.startswith("***")
    ]
    more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
    yield Finding(
        "fix",
        "database integrity",
        f"{settings.db_path} is damaged: {lines[0][:160] if lines else problems}{more}",
        "pocketmind stop, then pocketmind memory recover --install (the damaged file is kept)",
    )


def check_storage(settings: Settings) -> Iterator[Finding]:
    home = settings.home
    probe = home if home.exists() else home.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    status: Status = "ok" if free >= 1024 * MiB else "warn"
    yield Finding(
        status,
        "storage",
        f"{free / 2**30:.1f} GiB free for {home}",
        None if status == "ok" else "a chat model needs ~0.7 GiB: free some space",
    )


def check_privacy(settings: Settings) -> Iterator[Finding]:
    """Whether another local user (another app, on a phone) could read the home."""
    from ..privacy import exposed

    home = settings.home
    found = exposed(home)
    if not found:
        yield Finding("ok", "privacy", f"{home} is readable by its owner only")
        return
    names = ", ".join(str(p.relative_to(home)) if p != home else str(home) for p in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    yield Finding(
        "warn",
        "privacy",
        f"others can read {names}{more} (memories, chats and keys live here)",
        f"chmod -R go-rwx {shlex.quote(str(home))} (pocketmind start does it too)",
    )


def check_daemon(settings: Settings) -> Iterator[Finding]:
    from ..daemon.client import DaemonClient, DaemonError

    client = DaemonClient.connect(settings)
    if client is None:
        yield Finding("info", "daemon", "not running", "pocketmind start")
        return
    try:
        with client:
            report = client.status()
    except DaemonError as exc:
        yield Finding("warn", "daemon", f"no answer: {exc}", "pocketmind status")
        return
    failed = [
        f"{name} ({part['error']})"
        for name, part in report["components"].items()
        if part.get("error")
    ]
    if failed:
        yield Finding(
            "warn", "daemon", "running; failing: " + ", ".join(failed), "pocketmind status"
        )
    else:
        yield Finding("ok", "daemon", f"running (pid {report['pid']}, model {report['model']})")


CHECKS: tuple[Check, ...] = (
    check_platform,
    check_sqlite,
    check_database,
    check_storage,
    check_privacy,
    check_embedder,
    check_engine,
    check_termux,
    check_notifier,
    check_sensors,
    check_overlay,
    check_calendars,
    check_daemon,
)


def diagnose(settings: Settings, checks: tuple[Check, ...] = CHECKS) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks:
        try:
            findings.extend(check(settings))
        except Exception as exc:
            name = check.__name__.removeprefix("check_")
            findings.append(Finding("warn", name, f"the check itself failed: {exc}"))
    return findings


def to_json(findings: list[Finding]) -> str:
    return json.dumps([asdict(f) for f in findings], ensure_ascii=False)


__all__ = [
    "CHECKS",
    "TERMUX_COMMANDS",
    "Check",
    "Finding",
    "MiB",
    "Status",
    "check_embedder",
    "check_engine",
    "check_termux",
    "diagnose",
    "to_json",
]
