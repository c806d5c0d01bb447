import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pocketmind.embedders import normalize_rows
from pocketmind.memory.vectors import VectorIndex, sign_codes


def _clustered(n: int, dim: int, seed: int = 0, noise: float = 1.0) -> np.ndarray:
    """Vectors in clusters, like sentence embeddings (not uniform noise)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(n // 50, 1), dim))
    points = centres[rng.integers(len(centres), size=n)]
    return normalize_rows(points + noise * rng.normal(size=(n, dim)))


def test_sign_codes_pack_bits_into_words() -> None:
    codes = sign_codes(np.array([[1.0] * 64 + [-1.0] * 36]))
    assert codes.shape == (1, 2)
    assert np.bitwise_count(codes).sum() == 64


def test_exact_scan_below_threshold_matches_brute_force() -> None:
    vectors = _clustered(500, 32)
    index = VectorIndex(32)
    index.add(range(1000, 1500), vectors)
    query = vectors[17]
    hits = index.search(query, 10)
    expected = np.argsort(-(vectors @ query))[:10] + 1000
    assert [h[0] for h in hits] == expected.tolist()
    assert hits[0] == (1017, hits[0][1]) and abs(hits[0][1] - 1.0) < 1e-5


def _recall(index: VectorIndex, queries: np.ndarray, prefilter: int) -> float:
    found = []
    for q in queries:
        fast = {i for i, _ in index.search(q, 10, prefilter=prefilter, exact_below=100)}
        exact = {i for i, _ in index.exact(q, 10)}
        found.append(len(fast & exact) / 10)
    return float(np.mean(found))


def test_prefilter_recall_grows_to_exact() -> None:
    """Real MiniLM figures are in bench/memory.py; here, the mechanism on clustered data."""
    vectors = _clustered(20_000, 384, seed=1, noise=0.3)
    index = VectorIndex(384)
    index.add(range(len(vectors)), vectors)
    rng = np.random.default_rng(2)
    queries = normalize_rows(
        vectors[rng.integers(len(vectors), size=30)] + 0.15 * rng.normal(size=(30, 384))
    )
    small, large = _recall(index, queries, 200), _recall(index, queries, 2000)
    assert small <= large
    assert large >= 0.9
    assert _recall(index, queries, len(vectors) - 1) == 1.0


def test_allowed_restricts_results() -> None:
    vectors = _clustered(300, 16)
    index = VectorIndex(16)
    index.add(range(300), vectors)
    allowed = set(range(0, 300, 3))
    hits = index.search(vectors[1], 20, allowed=allowed)
    assert hits and all(i in allowed for i, _ in hits)
    assert index.search(vectors[1], 5, allowed=set()) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 40)), max_size=120))
def test_add_and_remove_keep_the_index_consistent(ops: list[tuple[bool, int]]) -> None:
    index = VectorIndex(8)
    model: dict[int, np.ndarray] = {}
    rng = np.random.default_rng(0)
    for add, memory_id in ops:
        if add:
            vec = normalize_rows(rng.normal(size=(1, 8)))
            index.add([memory_id], vec)
            model[memory_id] = vec[0]
        else:
            index.remove([memory_id])
            model.pop(memory_id, None)
    assert len(index) == len(model)
    for memory_id, vec in model.items():
        assert memory_id in index
        ids, stored = index.vectors_of([memory_id])
        assert ids.tolist() == [memory_id] and np.allclose(stored[0], vec)
    if model:
        best = index.exact(next(iter(model.values())), len(model))
        assert sorted(i for i, _ in best) == sorted(model)
