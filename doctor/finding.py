"""What a check says: a ``Finding`` (ok, info, warn or fix) and the ``Check`` type."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from ..settings import Settings

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
