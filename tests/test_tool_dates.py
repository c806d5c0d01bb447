"""Dates a request writes, in the format a tool asks for (tools/dates.py), no model."""

from __future__ import annotations

from datetime import datetime

import pytest

from pocketmind.tools.dates import date_format, dates_in, formatted
from pocketmind.tools.grounding import ground

NOW = datetime(2026, 11, 23, 12, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the forecast for Pacifica on April 11th, 2023?", [datetime(2023, 4, 11)]),
        ("in Healdsburg on the 2nd of march 2023?", [datetime(2023, 3, 2)]),
        ("move Bob-123 to November 1, 2023 at 4pm London time", [datetime(2023, 11, 1, 16)]),
        ("on the 20th of June 2022 at 5 in the afternoon", [datetime(2022, 6, 20, 17)]),
        ("on 2023-04-11 at 10:30, then Mar 3 2022, 10 people", [
            datetime(2023, 4, 11, 10, 30), datetime(2022, 3, 3)
        ]),
        ("dinner on the 5th of May", [datetime(2027, 5, 5)]),  # no year: the next one
        ("lunch on December 1st", [datetime(2026, 12, 1)]),
        ("may I ask about February 30th, 2023?", []),  # no such day
        ("12 people at 7", []),
    ],
)  # fmt: skip
def test_the_dates_a_request_states(text: str, expected: list[datetime]) -> None:
    assert dates_in(text, NOW) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"description": "The date, in the format YYYY-MM-DD."}, "%Y-%m-%d"),
        ({"description": "Start, as 'YYYY-MM-DDTHH:MM:SS'"}, "%Y-%m-%dT%H:%M:%S"),
        ({"description": "format 'dd/mm/yyyy HH:MM'"}, "%d/%m/%Y %H:%M"),
        ({"description": "in the format %Y-%m-%d"}, "%Y-%m-%d"),
        ({"description": "US style, MM/DD/YYYY"}, "%m/%d/%Y"),
        ({"format": "date"}, "%Y-%m-%d"),
        ({"format": "date-time"}, "%Y-%m-%dT%H:%M:%S"),
        ({"description": "a clock time, HH:MM"}, None),  # no date in it
        ({"description": "the city"}, None),
    ],
)
def test_the_date_format_a_leaf_asks_for(spec: dict[str, str], expected: str | None) -> None:
    assert date_format(spec) == expected


def test_ground_offers_the_stated_dates_as_the_leaf_writes_them() -> None:
    assert formatted({"format": "date"}, "on April 11th, 2023", NOW) == ["2023-04-11"]
    assert formatted({"description": "the city"}, "on April 11th, 2023", NOW) == []
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "date": {"type": "string", "description": "The day, in the format YYYY-MM-DD"},
            "starts": {"type": "string", "format": "date-time"},
            "kind": {"type": "string", "enum": ["day", "night"], "format": "date"},
        },
    }
    props = ground(schema, ["The forecast for Pacifica on April 11th, 2023 at 9am?"])["properties"]
    assert props["date"]["enum"] == ["2023-04-11"]
    assert props["starts"] == {"type": "string", "enum": ["2023-04-11T09:00:00"]}
    assert props["kind"]["enum"] == ["day", "night"]  # its own options stand
    assert "Pacifica" in props["city"]["enum"]
