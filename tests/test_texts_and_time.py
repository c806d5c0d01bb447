from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pocketmind.memory.instants import parse_instant, time_window, to_db
from pocketmind.memory.texts import normalize, text_hash
from pocketmind.validation import InputError, clean_text

LIMIT = 64 * 1024


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("x" * (LIMIT + 1), "over the limit"),
        ("bad \udcff surrogate", "not valid UTF-8"),
        ("nul\x00byte", "NUL"),
        (42, "text must be a string"),
    ],
)
def test_bad_text_is_refused_with_where_and_what(text: object, message: str) -> None:
    with pytest.raises(InputError, match=f"line 3: .*{message}"):
        clean_text(text, LIMIT, "line 3")


def test_text_at_the_limit_is_accepted_and_stripped() -> None:
    assert clean_text("  " + "é" * (LIMIT // 2) + " ", LIMIT, "x") == "é" * (LIMIT // 2)


def test_normalized_hash_ignores_case_width_and_spacing() -> None:
    assert text_hash("Call  MUM\n tomorrow") == text_hash("call mum tomorrow")
    assert text_hash("Ｃall mum") == text_hash("call mum")
    assert text_hash("call mum") != text_hash("call dad")
    assert normalize(" A\tB ") == "a b"


def test_instants_are_read_in_the_user_zone_and_stored_in_utc() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_instant("2025-01-02T13:00", berlin) == datetime(2025, 1, 2, 12, tzinfo=UTC)
    assert parse_instant("2025-01-02T13:00Z", berlin) == datetime(2025, 1, 2, 13, tzinfo=UTC)
    assert to_db(datetime(2025, 1, 2, 12, tzinfo=UTC)) == "2025-01-02T12:00:00.000000+00:00"
    with pytest.raises(InputError, match=r"--now: invalid date 'banana'"):
        parse_instant("banana", berlin, "--now")


NOW = datetime(2025, 10, 15, 9, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("query", "start", "days"),
    [
        ("what did I do yesterday?", datetime(2025, 10, 14), 1),
        ("anything today", datetime(2025, 10, 15), 1),
        ("the day before yesterday", datetime(2025, 10, 13), 1),
        ("who called last week", datetime(2025, 10, 6), 7),
        ("this week so far", datetime(2025, 10, 13), 7),
        ("what happened in October", datetime(2025, 10, 1), 31),
        ("what happened in December", datetime(2024, 12, 1), 31),
        ("trips in May 2023", datetime(2023, 5, 1), 31),
        ("on Tuesday", datetime(2025, 10, 14), 1),
        ("on Wednesday", datetime(2025, 10, 8), 1),
        ("last Friday", datetime(2025, 10, 10), 1),
        ("3 days ago", datetime(2025, 10, 12), 1),
        ("on March 3rd", datetime(2025, 3, 3), 1),
        ("on 4 December", datetime(2024, 12, 4), 1),
        ("last month", datetime(2025, 9, 1), 30),
        ("in 2023", datetime(2023, 1, 1), 365),
        ("past 7 days", datetime(2025, 10, 8), 8),
    ],
)
def test_time_phrases_become_windows(query: str, start: datetime, days: int) -> None:
    window = time_window(query, NOW, UTC)
    assert window is not None
    assert window.start == start.replace(tzinfo=UTC)
    assert window.end == start.replace(tzinfo=UTC) + timedelta(days=days)
    assert window.phrase


def test_windows_follow_the_user_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    window = time_window("yesterday", NOW, tokyo)  # 18:30 on the 15th in Tokyo
    assert window is not None
    assert window.start == datetime(2025, 10, 14, tzinfo=tokyo)


@pytest.mark.parametrize("query", ["where is my sister", "may I ask", "monday blues band"])
def test_no_phrase_no_window(query: str) -> None:
    assert time_window(query, NOW, UTC) is None


def test_impossible_date_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no such date"):
        time_window("on February 30", NOW, UTC)
