"""LoCoMo evidence recall on one conversation, with the real MiniLM: run when the data is
beside the repository (../shared/benchmarks/locomo), skipped with the reason otherwise
(a user's clone has no ../shared; the data's license keeps it out of the repository)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from locomo import DATA, evaluate

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DATA.is_file(), reason=f"LoCoMo data not found at {DATA}"),
]


def test_hybrid_retrieval_finds_the_evidence_on_a_locomo_conversation(minilm: object) -> None:
    sample = json.loads(DATA.read_text())[0]
    figures = evaluate([sample], minilm, ["vector", "hybrid"])  # type: ignore[arg-type]
    assert figures["hybrid"]["questions"] > 50
    # Fusing BM25 with the vectors finds at least what the vectors alone find.
    assert figures["hybrid"]["recall@10"] >= figures["vector"]["recall@10"]
    assert figures["hybrid"]["recall@10"] > 0.5
