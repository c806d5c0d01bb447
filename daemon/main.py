"""``pocketmind up``: run the daemon in the foreground until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from types import FrameType

from ..engine import Engine, make_engine
from ..privacy import private_umask, secure_home
from ..settings import Settings
from .paths import RunFiles
from .runtime import Component, Runtime

log = logging.getLogger("pocketmind.daemon")


def _exit_cleanly(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)  # unwinds through the finally blocks: reverse teardown runs


def configure_logging(level: str) -> None:
    """PocketMind's own loggers at ``level``; other libraries at INFO or above (their
    DEBUG is noise). Only DEBUG records may carry memory or chat text: at INFO and up the
    log holds ids, counts and lengths, so a forgotten memory does not live on in it."""
    chosen = logging.getLevelNamesMapping()[level.upper()]
    logging.basicConfig(
        level=max(chosen, logging.INFO),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("pocketmind").setLevel(chosen)
    if chosen == logging.DEBUG:
        log.warning("debug logging is on: the log may hold memory and chat text")


def run(settings: Settings, engine_factory: Callable[[Settings], Engine] = make_engine) -> None:
    """Start in order, serve, and stop in reverse. Returns after a clean shutdown."""
    configure_logging(settings.daemon.log_level)
    # SIGTERM during start-up, or re-raised by uvicorn after its graceful shutdown, must
    # unwind through the teardown below rather than kill the process where it stands.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    private_umask()  # for the daemon's whole life: the database, logs, exports, adapters
    if tightened := secure_home(settings.home):
        log.warning("made %d files in %s private (0600/0700)", len(tightened), settings.home)
    files = RunFiles(settings)
    files.acquire()
    runtime = Runtime(settings, engine_factory=engine_factory, files=files)
    try:
        runtime.start()
        from .api import create_app
        from .server import make_server, serve

        token = files.api_token() if settings.daemon.tcp_port is not None else None
        server, sockets = make_server(create_app(runtime), settings, token)
        runtime.components["api"] = api = Component("api", runtime.clock)
        api.mark("running")
        log.info("serving on %s", settings.socket_path)
        serve(server, sockets)
        api.mark("stopped")
    finally:
        log.info("shutting down")
        runtime.stop()
        files.release()
        log.info("stopped")
