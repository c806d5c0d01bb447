import json
from pathlib import Path

import pytest

from pocketmind.memory import MemoryStore
from pocketmind.memory.importer import import_jsonl
from pocketmind.retrieval import Retriever


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_bad_lines_are_reported_by_number_and_good_ones_kept(
    store: MemoryStore, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps(
                {
                    "text": "Lunch with Alice",
                    "at": "2025-01-02T12:30:00",
                    "source": "calendar",
                    "place": "Nero",
                }
            ).encode(),
            b"[1, 2]",
            b'{"text": "   "}',
            b"\xff\xfe not utf-8",
            b'{"at": "2025-01-01"}',
            b"not json",
            b'{"text": "x", "at": "banana"}',
            b"",
            json.dumps({"text": "Dentist on Friday", "kind": "event"}).encode(),
            json.dumps({"text": "y" * (64 * 1024 + 1)}).encode(),
        ],
    )
    report = import_jsonl(store, path)
    assert report.imported == 2
    where = str(path)
    assert report.errors == [
        f"{where}:2: expected a JSON object, got list",
        f"{where}:3: text is empty",
        f"{where}:4: invalid UTF-8 at byte 0",
        f"{where}:5: field 'text' is required",
        f"{where}:6: invalid JSON: Expecting value (column 1)",
        f"{where}:7: at: invalid date 'banana': expected ISO 8601, like 2025-01-02 or "
        "2025-01-02T13:04:05+01:00",
        f"{where}:10: text is 65537 bytes, over the limit of 65536",
    ]
    lunch = Retriever(store).search("lunch")[0].memory
    assert (lunch.text, lunch.source, lunch.meta) == (
        "Lunch with Alice",
        "calendar",
        {"place": "Nero"},
    )


def test_batches_are_committed_as_they_go(
    store: MemoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [json.dumps({"text": f"entry {i} {i * 31} {i * 17}"}).encode() for i in range(10)]
    path = _write(tmp_path / "in.jsonl", lines)
    real = store.remember_many
    calls = {"n": 0}

    def crash_on_third_batch(items: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the user pulls the plug mid-import
        return real(items, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "remember_many", crash_on_third_batch)
    with pytest.raises(KeyboardInterrupt):
        import_jsonl(store, path, batch_size=4)
    # two batches of four were acknowledged before the crash; the third left no trace
    assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == 8
    assert (
        store.db.execute("SELECT count(*) FROM events WHERE memory_id IS NULL").fetchone()[0] == 0
    )


def test_reimport_merges_instead_of_duplicating(store: MemoryStore, tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", [b'{"text": "Gym at 7"}', b'{"text": "Call the bank"}'])
    assert import_jsonl(store, path).imported == 2
    again = import_jsonl(store, path)
    assert (again.imported, again.duplicates) == (0, 2)
    assert store.count() == 2
