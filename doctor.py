"""``pocketmind doctor``: what this machine can do, and what to fix, one line each.

Every check is a small function returning :class:`Finding` objects; none of them loads
a model (a phone should not spend a minute and half its memory on a health check), but
each opens what it checks: the database with sqlite-vec in it, the GGUF headers, the
termux-api commands under the same timeout the sensors use, the engine's server.
"""

from __future__ import annotations

import importlib.util
import json
import shlex
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from . import host
from .settings import Settings, SettingsError, read_key_file

if TYPE_CHECKING:
    from .sensing.termux import TermuxApi

Status = Literal["ok", "info", "warn", "fix"]


@dataclass(frozen=True)
class Finding:
    status: Status
    check: str
    detail: str
    fix: str | None = None

    def line(self) -> str:
        text = f"{self.status.upper():4s}  {self.check}: {self.detail}"
        return f"{text} → {self.fix}" if self.fix else text


Check = Callable[[Settings], Iterator[Finding]]
MiB = 2**20


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
    from .memory.db import StorageError, connect, sqlite_module, sqlite_vec_source, vec_version

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
    from .memory.recover import integrity

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


def _embedder_space(settings: Settings) -> tuple[str, int]:
    """The space the configured embedder writes. Every embedder loads its model lazily,
    so making one reads a config or a GGUF header, nothing more."""
    from .embedders import make_embedder

    embedder = make_embedder(settings)
    try:
        return embedder.model_id, embedder.dim
    finally:
        embedder.close()


def check_embedder(settings: Settings) -> Iterator[Finding]:
    from .embedders import EmbedderError, embedder_gguf

    config = settings.embedder
    if config.backend == "sentence-transformers":
        if importlib.util.find_spec("sentence_transformers") is None:
            fix = (
                "torch does not install on Termux: set embedder.backend = 'llama' and run "
                "`pocketmind models pull all-minilm-l6-v2`"
                if host.is_android()
                else "pip install 'pocketmind[embed]'"
            )
            yield Finding("fix", "embedder", "sentence-transformers is not installed", fix)
            return
    elif config.backend in ("llama", "http"):
        gguf = embedder_gguf(settings)
        if config.backend == "llama" and not gguf.is_file():
            yield Finding(
                "fix",
                "embedder",
                f"no GGUF embedding model at {gguf}",
                "pocketmind models pull all-minilm-l6-v2",
            )
            return
        if config.backend == "llama" and importlib.util.find_spec("llama_cpp") is None:
            yield Finding(
                "fix",
                "embedder",
                "llama-cpp-python is not installed",
                "pip install 'pocketmind[termux]', or embedder.backend = 'http'",
            )
            return
        if config.backend == "http":
            server = list(
                _reachable(
                    "embedder server", config.url, "llama-server --embeddings", config.api_key_file
                )
            )
            yield from server
            if any(f.status == "fix" for f in server):
                return  # the space would come from the server: nothing more to learn
    try:
        space = _embedder_space(settings)
    except EmbedderError as exc:
        yield Finding("fix", "embedder", str(exc), "check embedder.model")
        return
    yield Finding("ok", "embedder", f"{config.backend}, space {space[0]} ({space[1]} dimensions)")
    yield from _check_store_space(settings, space)


def _check_store_space(settings: Settings, space: tuple[str, int]) -> Iterator[Finding]:
    from .memory.db import StorageError, connect
    from .memory.store import recorded_space

    if not settings.db_path.is_file():
        return
    try:
        conn = connect(settings.db_path)
    except StorageError as exc:
        yield Finding("fix", "database", str(exc), "see the sqlite-vec line")
        return
    try:
        recorded = recorded_space(conn)
        count = conn.execute("SELECT count(*) FROM memories").fetchone()[0]
    except Exception as exc:
        yield Finding("warn", "database", f"{settings.db_path}: {exc}", "pocketmind memory stats")
        return
    finally:
        conn.close()
    size = settings.db_path.stat().st_size / MiB
    if recorded is None or recorded == space:
        yield Finding("ok", "database", f"{count} memories, {size:.1f} MiB")
    else:
        yield Finding(
            "fix",
            "database",
            f"memories were embedded by {recorded[0]} ({recorded[1]}), the embedder is {space[0]} "
            f"({space[1]})",
            "pocketmind memory reindex (with the daemon stopped)",
        )


def _mem_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_engine(settings: Settings) -> Iterator[Finding]:
    from .engine.base import EngineError
    from .models.local import is_gguf, resolve

    engine = settings.engine
    if engine.backend == "fake":
        yield Finding("info", "engine", "fake (scripted replies, for tests)")
        return
    if engine.backend == "http":
        yield from _reachable(
            "engine server", engine.url, "start llama-server (termux/service)", engine.api_key_file
        )
        return
    if importlib.util.find_spec("llama_cpp") is None:
        yield Finding(
            "fix",
            "engine",
            "llama-cpp-python is not installed",
            "pip install 'pocketmind[termux]', or engine.backend = 'http' with llama-server",
        )
    try:
        model = resolve(settings)
    except EngineError as exc:
        yield Finding("fix", "chat model", str(exc), "pocketmind models pull qwen3-0.6b")
        return
    yield Finding(
        "ok", "chat model", f"{model.path.name} ({model.size / MiB:.0f} MiB, {model.origin})"
    )
    if engine.lora is not None and not is_gguf(engine.lora.expanduser()):
        yield Finding(
            "fix",
            "adapter",
            f"engine.lora {engine.lora} is missing or not a GGUF",
            "pocketmind adapter list; pocketmind adapter use NAME",
        )
    available = _mem_available()
    if available is not None:
        # Weights are mapped, the KV cache of a Qwen3-0.6B at 4k context is ~450 MiB, and
        # the daemon itself ~150 MiB: 1.5× the file is a fair floor.
        need = int(model.size * 1.5)
        status: Status = "ok" if available >= need else "warn"
        yield Finding(
            status,
            "memory",
            f"{available / MiB:.0f} MiB available, the model wants about {need / MiB:.0f} MiB",
            None if status == "ok" else "close apps, a smaller model, or a smaller context_size",
        )


def _reachable(name: str, url: str, fix: str, key_file: Path | None) -> Iterator[Finding]:
    import httpx

    try:
        key = read_key_file(key_file, f"{name} key")
    except SettingsError as exc:
        yield Finding("fix", name, str(exc), fix)
        return
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        response = httpx.get(
            f"{url.rstrip('/')}/models", timeout=3.0, trust_env=False, headers=headers
        )
    except httpx.HTTPError as exc:
        yield Finding("fix", name, f"{url} unreachable ({type(exc).__name__})", fix)
        return
    if response.status_code == 200:
        yield Finding("ok", name, f"{url} answers")
    else:
        yield Finding("fix", name, f"{url}/models answered HTTP {response.status_code}", fix)


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
    from .privacy import exposed

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


# Each termux-api command a feature needs, its arguments for a harmless call, and what
# to grant when it hangs or errs (../shared/termux-api/README.md).
TERMUX_COMMANDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "termux-battery-status": ("battery", (), "install the Termux:API app (F-Droid)"),
    "termux-wifi-connectioninfo": (
        "wifi",
        (),
        "turn location on and grant Termux:API the location permission",
    ),
    "termux-location": (
        "location",
        ("-p", "network", "-r", "last"),
        "grant Termux:API location, 'Allow all the time'",
    ),
    "termux-notification-list": (
        "notifications",
        (),
        "Android Settings › Notification access › allow Termux:API",
    ),
    "termux-sms-list": ("sms", ("-l", "1"), "grant Termux:API the SMS permission"),
    "termux-call-log": ("calls", ("-l", "1"), "grant Termux:API the call log permission"),
    "termux-clipboard-get": ("clipboard", (), "bring Termux to the foreground once"),
}


def check_termux(settings: Settings, api: TermuxApi | None = None) -> Iterator[Finding]:
    from .sensing.termux import SubprocessTermux

    termux = api or SubprocessTermux()

    if not host.is_android():
        yield Finding("info", "termux-api", "not on Android; sensing uses sysfs and nmcli")
        return
    for command in ("termux-notification", "termux-wake-lock"):
        if not termux.has(command):
            yield Finding(
                "fix", command, "not found", "pkg install termux-api (and the Termux:API app)"
            )
    timeout = min(settings.sensing.termux_timeout_s, 5.0)
    for command, (sensor, args, grant) in TERMUX_COMMANDS.items():
        if sensor not in settings.sensing.sensors:
            continue
        if not termux.has(command):
            yield Finding("fix", command, "not found", "pkg install termux-api")
            continue
        try:
            if command == "termux-clipboard-get":
                termux.run(command, *args, timeout=timeout)
            else:
                termux.run_json(command, *args, timeout=timeout)
        except Exception as exc:
            yield Finding("fix", command, str(exc).splitlines()[0][:160], grant)
        else:
            yield Finding("ok", command, f"answers ({sensor})")


def check_daemon(settings: Settings) -> Iterator[Finding]:
    from .daemon.client import DaemonClient, DaemonError

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


__all__ = ["CHECKS", "Finding", "diagnose", "to_json"]
