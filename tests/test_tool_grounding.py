"""Arguments grounded in the request's words, the word shortlist of tools, and a message
cut into its requests (tools/grounding.py)."""

from __future__ import annotations

import pytest

from pocketmind.engine.llama import _grammar
from pocketmind.tools.grounding import (
    ground,
    numbers,
    requests_in,
    shortlist,
    spans,
    tool_words,
)

TRIANGLE = {
    "type": "object",
    "properties": {
        "base": {"type": "integer"},
        "height": {"type": "number"},
        "unit": {"type": "string"},
        "shape": {"type": "string", "enum": ["triangle", "square"]},
        "exact": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["base", "height"],
}
ASKED = "Find the area of a triangle with a base of 10 units and height of 5.5 units."


def test_spans_are_the_words_as_written_never_starting_or_ending_on_glue() -> None:
    offered = spans([ASKED])
    assert {"10 units", "triangle", "base of 10 units", "5.5 units"} <= set(offered)
    assert not {"of a", "a triangle", "units and", "the area"} & set(offered)
    assert offered.index("units") < offered.index("10 units")  # shortest first
    assert "Lisbon, Portugal" in spans(["Weather in Lisbon, Portugal."])
    assert "New York" in spans(["Text Maya: I'm in New York.\nSee you"])
    assert not [s for s in spans(["a\nb c"]) if "\n" in s]


def test_numbers_are_read_in_digits_and_words_in_order_without_repeats() -> None:
    assert numbers(["12,000 miles at 25 MPG, -3 and minus 4, 2.5 or 25"]) == [
        12000,
        25,
        -3,
        -4,
        2.5,
    ]
    assert numbers(["a dozen eggs for five people"]) == [12, 5]
    assert numbers(["docket 2022/AL2562"]) == [2022]  # a code's digits are not a number
    assert numbers(["nothing here"]) == []


def test_ground_narrows_free_leaves_and_keeps_the_rest() -> None:
    grounded = ground(TRIANGLE, [ASKED])
    props = grounded["properties"]
    assert props["base"]["enum"] == [10]  # 5.5 is no integer
    assert props["height"]["enum"] == [5.5]  # "height of 5.5": written next to its name
    assert "10 units" in props["unit"]["enum"] and "of a" not in props["unit"]["enum"]
    assert props["shape"]["enum"] == ["triangle"]  # of its options, the one the request says
    assert props["exact"] == {"type": "boolean"}
    assert "units" in props["tags"]["items"]["enum"]
    assert grounded["required"] == ["base", "height", "unit", "shape"]  # named, or said
    assert "enum" not in TRIANGLE["properties"]["base"]  # type: ignore[index]
    # Nothing to copy: the leaf stays free rather than impossible.
    assert ground({"type": "integer"}, ["no digits here"]) == {"type": "integer"}
    assert ground({"type": "string"}, [""]) == {"type": "string"}
    # A focus that states numbers gives them alone; one that states none falls back.
    assert ground({"type": "number"}, [ASKED], focus="then 7 more")["enum"] == [7]
    assert ground({"type": "number"}, [ASKED], focus="then more")["enum"] == [10, 5.5]


def test_a_grounded_schema_builds_a_llama_grammar() -> None:
    pytest.importorskip("llama_cpp")
    assert _grammar(ground(TRIANGLE, [ASKED * 3])) is not None


WEATHER = tool_words("get_weather", "The current weather in a city", {"properties": {"city": {}}})
EMISSIONS = tool_words(
    "calculate_emissions",
    "Annual carbon dioxide emissions of a vehicle from its fuel efficiency",
    {"properties": {"distance": {"description": "miles driven per year"}}},
)


def test_the_shortlist_offers_the_best_matching_tools() -> None:
    tools = {"get_weather": WEATHER, "calculate_emissions": EMISSIONS}
    assert shortlist("How much CO2 do I emit annually at 25 MPG fuel efficiency?", tools) == (
        ["calculate_emissions"],
        True,
    )
    # One shared word: the model may still answer in words.
    assert shortlist("Is the weather nice?", tools) == (["get_weather"], False)
    # No shared word: no tool.
    assert shortlist("Who wrote Hamlet?", tools) == ([], False)
    # Another script: every tool, the model decides.
    assert shortlist("今日の天気は？", tools) == (["get_weather", "calculate_emissions"], False)


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        ("Play Taylor Swift and Maroon 5.", ["Play Taylor Swift and Maroon 5."]),
        (
            "Sum the multiples of 3 and 5. Also find the product of five primes.",
            ["Sum the multiples of 3 and 5.", "Also find the product of five primes."],
        ),
        (
            "Forecast Apple for 30 days, and then forecast Microsoft for 45 days.",
            ["Forecast Apple for 30 days", "forecast Microsoft for 45 days."],
        ),
        (
            "Help me? First, book a table. Secondly, call Maya. Finally, set an alarm.",
            ["Help me?", "First, book a table.", "Secondly, call Maya.", "Finally, set an alarm."],
        ),
        ("I have 3 apples. I ate one.", ["I have 3 apples. I ate one."]),
    ],
)
def test_a_message_is_cut_where_it_moves_on_to_another_request(
    message: str, parts: list[str]
) -> None:
    assert requests_in(message) == parts


def test_a_quote_in_a_literal_is_refused_before_it_reaches_llama_cpp() -> None:
    # llama.cpp cannot parse the grammar such a literal becomes, and the sampler then
    # ends the process: a client's enum must get an error, not take the daemon down.
    pytest.importorskip("llama_cpp")
    from pocketmind.engine.base import EngineError

    quoted = {"type": "object", "properties": {"height": {"enum": ["5'11\" tall"]}}}
    with pytest.raises(EngineError, match=r"properties\.height.*quote"):
        _grammar(quoted)
    with pytest.raises(EngineError, match="quote"):
        _grammar({"type": "object", "properties": {'say "hi"': {"type": "string"}}})
    assert _grammar({"enum": ["5'11 tall"]}) is not None
    # Grounded spans leave such words out rather than offer what cannot be held.
    assert not [s for s in spans(["He is 5'11\" tall"]) if '"' in s]


def test_a_focus_keeps_spans_and_numbers_to_its_own_request() -> None:
    message = "Who discovered the Higgs Boson? Lastly, the Louvre's hours on Monday."
    first = ground({"type": "string"}, [message], focus="Who discovered the Higgs Boson?")
    assert "Higgs Boson" in first["enum"] and "Monday" not in first["enum"]
    assert ground({"type": "integer"}, ["5, 7 and 9"], only_numbers=[7.0, 9.0])["enum"] == [7, 9]


def test_a_call_is_new_only_with_a_value_no_earlier_call_carried() -> None:
    from pocketmind.tools.grounding import brings_new, carried, numeric_required

    assert carried({"docket": "2022/AL2562", "n": 3, "ok": True, "xs": [1.5]}) == (
        {2022.0, 3.0, 1.5},
        {"2022/al2562"},
    )
    first = {"current": 12, "distance": 8}
    assert not brings_new({"current": 8, "distance": 8}, [first])  # reshuffled
    assert brings_new({"current": 12, "distance": 9}, [first])
    assert brings_new({"city": "Porto"}, [{"city": "Lisbon"}])
    schema = {
        "properties": {"n": {"type": "integer"}, "s": {"type": "string"}, "x": {"type": "number"}},
        "required": ["n", "s"],
    }
    assert numeric_required(schema) == ["n"]
    assert numeric_required(None) == []


def test_an_optional_argument_that_echoes_another_is_dropped() -> None:
    from pocketmind.tools.grounding import without_echoes

    padded = {"distance": 4, "speed": 4, "exact": True, "unit": "km"}
    assert without_echoes(padded, ["distance"]) == {"distance": 4, "exact": True, "unit": "km"}
    # Required arguments stay even when equal, and so do booleans.
    assert without_echoes({"w": 5, "h": 5}, ["w", "h"]) == {"w": 5, "h": 5}
    assert without_echoes({"a": True, "b": 1}, []) == {"a": True, "b": 1}


@pytest.mark.parametrize(
    ("text", "used", "alike"),
    [
        ("the factorial of 5, the factorial of 7, and the factorial of 9", {5.0}, [7.0, 9.0]),
        ("cases filed in 2019. Also cases filed in the year 2018", {2019.0}, [2018.0]),
        ("play time of 20 minutes and 15 minutes respectively", {20.0}, [15.0]),
        ("my car drives 12,000 miles at 25 MPG fuel efficiency", {12000.0}, []),
        ("a base of 10 units", {10.0}, []),
        ("the prime factors of the numbers 45, 100, and 150", {45.0}, [100.0, 150.0]),
        ("two side lengths: 3 and 4, 5 and 12.", {3.0, 4.0}, [5.0, 12.0]),
        ("John chose 36 and 48, while Mary chose 60 and 96", {36.0, 48.0}, [60.0, 96.0]),
        ("a width of 20ft and a height of 12ft", {20.0}, []),
    ],
)
def test_numbers_stated_in_the_same_words_as_a_used_one_are_alike(
    text: str, used: set[float], alike: list[float]
) -> None:
    from pocketmind.tools.grounding import alike_numbers

    assert alike_numbers(text, used, [n for n in numbers([text]) if n not in used]) == alike
