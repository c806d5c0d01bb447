"""``memory_forget`` asks first: a preview hands out a token bound to exactly the
memories shown; only that token, with the same query, before it expires, forgets them.

A token rather than MCP elicitation: elicitation needs a client that shows forms and a
live session, which stateless HTTP and many clients lack; the token works on every
client, and it mirrors the API's ``/memories/forget`` preview-then-confirm.
"""

from __future__ import annotations

import secrets
import threading
import time

from mcp.server.mcpserver.exceptions import ToolError

TTL_S = 300.0


class ForgetTokens:
    def __init__(self, ttl_s: float = TTL_S) -> None:
        self.ttl_s = ttl_s
        self._issued: dict[str, tuple[str, list[int], float]] = {}
        self._lock = threading.Lock()

    def issue(self, query: str, ids: list[int]) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            now = time.monotonic()
            self._issued = {t: v for t, v in self._issued.items() if v[2] > now}
            self._issued[token] = (query, ids, now + self.ttl_s)
        return token

    def redeem(self, token: str, query: str) -> list[int]:
        """The ids previewed under ``token``; once only."""
        with self._lock:
            issued = self._issued.pop(token, None)
        if issued is None or issued[2] <= time.monotonic():
            raise ToolError("confirm_token is unknown or expired: call without it to preview")
        if issued[0] != query:
            raise ToolError("confirm_token was issued for another query: preview this one")
        return issued[1]
