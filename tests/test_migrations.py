import json
from pathlib import Path

import pytest

from pocketmind.db import connect
from pocketmind.embedders import FakeEmbedder
from pocketmind.memory import MemoryStore
from pocketmind.retrieval import Retriever
from pocketmind.schema import Migration, migrate, migrations
from pocketmind.settings import Settings


def _applied(conn: object) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY name")]  # type: ignore[attr-defined]


MIGRATIONS = [m.name for m in migrations()]


def test_every_shipped_migration_keeps_its_name_and_place() -> None:
    """Each room registers its own; together they are the shipped list, in order."""
    assert MIGRATIONS == [
        "m001_events",
        "m002_memories",
        "m003_fulltext",
        "m004_embedding_space",
        "m005_exchanges",
        "m006_ingest",
        "m007_sensing",
        "m008_reminders",
        "m009_skills",
        "m010_feedback_and_exports",
        "m011_regenerations",
        "m012_actions",
        "m013_plans",
    ]


def test_blank_database_gets_every_migration(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    assert migrate(conn) == MIGRATIONS
    assert migrate(conn) == []  # idempotent
    assert _applied(conn) == sorted(MIGRATIONS)


@pytest.mark.parametrize("version", range(len(MIGRATIONS) + 1))
def test_database_at_every_earlier_version_upgrades(
    version: int, settings: Settings, embedder: FakeEmbedder
) -> None:
    conn = connect(settings.db_path)
    migrate(conn, upto=version)
    if version >= 1:  # an event logged by an old version survives the upgrade
        conn.execute(
            "INSERT INTO events (source, kind, occurred_at, received_at, payload) "
            "VALUES ('user', 'note', '2025-01-01', '2025-01-01', ?)",
            (json.dumps({"text": "old"}),),
        )
    conn.close()
    with MemoryStore.open(settings, embedder) as store:
        assert _applied(store.db) == sorted(MIGRATIONS)
        assert store.stats()["events"] == (1 if version >= 1 else 0)
        store.remember("works after the upgrade")
        assert Retriever(store).search("upgrade")[0].memory.text == "works after the upgrade"


def test_a_failing_migration_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def m999_broken(db: object) -> None:
        db.execute("CREATE TABLE half_done (x)")  # type: ignore[attr-defined]
        raise RuntimeError("disk on fire")

    registered = [*migrations(), Migration(999, "m999_broken", [m999_broken])]
    monkeypatch.setattr("pocketmind.schema.migrations", lambda: registered)
    conn = connect(tmp_path / "x.db")
    with pytest.raises(RuntimeError, match="disk on fire"):
        migrate(conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables
    assert "m999_broken" not in _applied(conn)
    assert len(_applied(conn)) == len(MIGRATIONS)
