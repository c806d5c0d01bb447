"""What a refresh measured: each fold's loss, perplexity and answers, before and after."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fold:
    base_loss: float
    adapter_loss: float
    accuracy: float
    base_accuracy: float

    @property
    def base_perplexity(self) -> float:
        return math.exp(self.base_loss)

    @property
    def adapter_perplexity(self) -> float:
        return math.exp(self.adapter_loss)

    def to_json(self) -> dict[str, float]:
        return {
            "base_loss": self.base_loss,
            "adapter_loss": self.adapter_loss,
            "base_perplexity": self.base_perplexity,
            "adapter_perplexity": self.adapter_perplexity,
            "base_accuracy": self.base_accuracy,
            "accuracy": self.accuracy,
        }


@dataclass
class RefreshReport:
    examples: int
    folds: list[Fold] = field(default_factory=list)
    promotable: bool = False
    adapter: str | None = None
    seconds: float = 0.0
    examples_per_s: float = 0.0
    device: str = "cpu"
    started_from: str | None = None  # the adapter training began from (None: the base)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in (
            "base_loss",
            "adapter_loss",
            "base_perplexity",
            "adapter_perplexity",
            "base_accuracy",
            "accuracy",
        ):
            values = [f.to_json()[key] for f in self.folds]
            out[key] = {
                "mean": statistics.fmean(values),
                "std": statistics.pstdev(values) if len(values) > 1 else 0.0,
            }
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "device": self.device,
            "started_from": self.started_from,
            "seconds": self.seconds,
            "examples_per_s": self.examples_per_s,
            "promotable": self.promotable,
            "adapter": self.adapter,
            "folds": [f.to_json() for f in self.folds],
            "overall": self.summary() if self.folds else {},
        }

    def table(self) -> str:
        # "base": what training began from, the base model or the adapter it started from
        rows = [f"before: {self.started_from or 'the base model'}"]
        rows.append("fold  base loss  adapter loss  base ppl  adapter ppl  base acc  adapter acc")
        for i, f in enumerate(self.folds, 1):
            rows.append(
                f"{i:>4}  {f.base_loss:9.3f}  {f.adapter_loss:12.3f}  "
                f"{f.base_perplexity:8.2f}  {f.adapter_perplexity:11.2f}  "
                f"{f.base_accuracy:8.2f}  {f.accuracy:11.2f}"
            )
        s = self.summary()
        rows.append(
            "mean  "
            + "  ".join(
                f"{s[k]['mean']:.3f}±{s[k]['std']:.3f}"
                for k in ("base_loss", "adapter_loss", "base_accuracy", "accuracy")
            )
        )
        rows.append(f"promotable: {'yes' if self.promotable else 'no'}")
        return "\n".join(rows)
