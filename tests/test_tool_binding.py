"""Which of a request's values goes to which parameter (tools/binding.py), no model."""

from __future__ import annotations

import pytest

from pocketmind.tools.binding import (
    as_fractions,
    bind_siblings,
    bound_numbers,
    item_spans,
    name_words,
    named,
    named_spans,
    next_item,
    next_items,
    percents,
    said_options,
    wants_fraction,
    with_named,
)
from pocketmind.tools.grounding import ground


def test_a_parameter_name_splits_into_its_stemmed_words() -> None:
    assert name_words("from_year") == {"from", "year"}
    assert name_words("inputSynapticRate") == {"input", "synaptic", "rate"}
    assert name_words("rate_of_interest") == {"rate", "interest"}


def test_a_number_goes_to_the_leaf_named_just_before_it() -> None:
    text = "Find a historical law case about fraud from 2010 to 2015."
    assert bound_numbers("from_year", text, [2010, 2015]) == [2010]
    assert bound_numbers("to_year", text, [2010, 2015]) == [2015]


def test_the_closer_and_fuller_name_wins_over_a_shared_word() -> None:
    text = "synaptic input rate of 200 and weight 0.5 and decay rate of 0.1"
    stated = [200, 0.5, 0.1]
    assert bound_numbers("input_synaptic_rate", text, stated) == [200]
    assert bound_numbers("decay_rate", text, stated) == [0.1]
    assert bound_numbers("weight", text, stated) == [0.5]


def test_a_unit_after_the_number_binds_it() -> None:
    text = "a gas car that travels 12,000 miles per year at 25 MPG, 3 nights, a 5km run"
    assert bound_numbers("miles_driven", text, [12000, 25, 3, 5]) == [12000]
    assert bound_numbers("distance_km", text, [12000, 25, 3, 5]) == [5]


def test_a_leaf_named_nowhere_near_a_number_keeps_them_all() -> None:
    text = "the factorial of 5 and of 7"
    assert bound_numbers("number", text, [5, 7]) == [5, 7]
    assert bound_numbers("", text, [5, 7]) == [5, 7]


def test_percentages_become_fractions_only_where_a_decimal_is_asked() -> None:
    text = "a deposit of $1000 at an annual rate of 3% and 4.5 percent later"
    assert percents(text) == {3.0, 4.5}
    assert as_fractions([1000, 3, 4.5], text) == [1000, 0.03, 0.045]
    assert wants_fraction({"description": "The interest rate, in decimal form."})
    assert wants_fraction({"description": "Rate as a fraction, e.g. 0.05"})
    assert not wants_fraction({"description": "The interest rate in percent (decimal ok)."})
    assert not wants_fraction({"description": "The deposit."})


def test_a_named_parameter_is_meant_and_a_negation_says_no() -> None:
    assert named("detailed", "standings of the Warriors, with details") is True
    assert named("equal_variance", "a two sample t-test assuming equal variance") is True
    assert named("include_tax", "the total, but don't include tax") is False
    assert named("dietary_requirements", "Thai food with a vegan menu") is None
    assert named("a_of", "anything") is None  # nothing but filler words


def test_named_optionals_become_required_and_a_named_yes_no_is_held() -> None:
    schema = {
        "type": "object",
        "properties": {
            "team": {"type": "string"},
            "detailed": {"type": "boolean"},
            "weight": {"type": "number"},
            "unit": {"type": "string"},
        },
        "required": ["team"],
    }
    out = with_named(schema, "Golden State Warriors standings with details, weight 0.5")
    assert out["required"] == ["team", "detailed", "weight"]
    assert out["properties"]["detailed"]["enum"] == [True]
    assert "enum" not in out["properties"]["weight"]  # held later, by ground's numbers
    assert schema["required"] == ["team"]  # the input is not changed


def test_ground_binds_numbers_to_their_leaves_and_rates_to_fractions() -> None:
    schema = {
        "type": "object",
        "properties": {
            "deposit": {"type": "integer"},
            "annual_interest_rate": {"type": "number", "description": "Rate, in decimal."},
            "years": {"type": "integer"},
        },
        "required": ["deposit", "annual_interest_rate", "years"],
    }
    text = "Return on a deposit of $1000 at an annual interest rate of 3% for 1 year."
    out = ground(schema, [text])["properties"]
    assert out["deposit"]["enum"] == [1000]
    assert out["annual_interest_rate"]["enum"] == [0.03]
    assert out["years"]["enum"] == [1]


def test_nested_leaves_bind_by_their_own_names() -> None:
    schema = {
        "type": "object",
        "properties": {
            "area": {
                "type": "object",
                "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}},
            },
            "paint_coverage": {"type": "integer"},
        },
        "required": ["area", "paint_coverage"],
    }
    text = "a wall with width of 20ft and height of 12ft; 1 gallon covers 350 sq.ft."
    out = ground(schema, [text])["properties"]
    assert out["area"]["properties"]["width"]["enum"] == [20]
    assert out["area"]["properties"]["height"]["enum"] == [12]
    assert out["paint_coverage"]["enum"] == [20, 12, 1, 350]  # "covers" is not "coverage"


def test_the_words_after_a_parameters_name_are_its_value() -> None:
    movie = "a movie with Sterling K. Brown, and it should be directed by Thurop Van Orman"
    assert named_spans("directed_by", movie) == ["Thurop", "Thurop Van", "Thurop Van Orman"]
    assert named_spans("recipeName", "a recipe for pasta carbonara which has") == [
        "pasta",
        "pasta carbonara",
    ]
    assert named_spans("location", "5 places near my location, Manhattan, with Thai") == [
        "Manhattan"
    ]
    assert named_spans("city", "the weather in the city of Lisbon") == ["Lisbon"]
    # A name word inside another phrase, or followed by a clause, binds nothing.
    assert named_spans("fuel_type", "a gas car at 25 MPG fuel efficiency") == []
    assert named_spans("unit", "a base of 10 units and height of 5") == []
    assert named_spans("restaurant_name", "Find a restaurant in Manhattan") == []
    assert named_spans("special", "who has black as their special request") == []
    assert named_spans("depart_from", "a train departing from Boston at 9") == ["Boston"]
    assert named_spans("", "anything") == []


def test_a_list_item_is_the_words_up_to_punctuation_or_a_clause() -> None:
    text = "Maroon 5, with a play time"
    assert item_spans(text, 0) == ["Maroon", "Maroon 5"]
    assert item_spans("and then some", 0) == []
    assert item_spans("Lena that dinner is off", 0) == ["Lena"]


def test_the_next_item_of_a_list_is_written_like_the_first() -> None:
    text = "Play songs from the artists Taylor Swift and Maroon 5, for 20 minutes"
    assert next_item(text, "Taylor Swift") == ["Maroon", "Maroon 5"]
    assert next_item(text, "Maroon 5") == []  # ", for 20 minutes" starts no item
    assert next_item("Text Maya, Jonas and Lena that dinner is off", "Jonas") == ["Lena"]
    assert next_item("Text Maya, I'll be late", "Maya") == []  # a clause, not a person
    assert next_item("songs in Pop and rock", "Pop") == []  # not written alike
    assert next_item("prime factors of 45 and 60", "45") == ["60"]
    assert next_item("anything", " ") == []


def test_another_call_is_for_a_list_item_no_call_took_yet() -> None:
    text = "the weather in Paris, Rome and Oslo"
    assert next_items(text, {"city": "Paris"}, [{"city": "Paris"}]) == {"city": ["Rome"]}
    taken = [{"city": "Paris"}, {"city": "Rome"}]
    assert next_items(text, {"city": "Rome"}, taken) == {"city": ["Oslo"]}
    assert next_items(text, {"city": "Oslo"}, [*taken, {"city": "Oslo"}]) == {}
    assert next_items(text, {"days": 3}, []) == {}


def test_the_options_a_request_says_are_the_ones_meant() -> None:
    assert said_options(["ASC", "DESC"], "sort them in ascending order") == ["ASC"]
    assert said_options(["feet", "meter"], "its height in feet") == ["feet"]
    assert said_options(["celsius", "fahrenheit"], "the weather in Paris") == []
    assert said_options(["new_york", "LA"], "flights to New York") == ["new_york"]
    assert said_options([1, 2, "", "  "], "1 or 2") == []  # strings only
    schema = {
        "type": "object",
        "properties": {"unit": {"type": "string", "enum": ["feet", "meter"]}},
        "required": [],
    }
    out = with_named(schema, "the Empire State Building's height in feet")
    assert out["required"] == ["unit"] and out["properties"]["unit"]["enum"] == ["feet"]


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        # a comma ends a number's words: "3 bedrooms, 2 bathrooms"
        ("a house with 3 bedrooms, 2 bathrooms and area of 1800 square feet",
         ["bedrooms", "bathrooms", "area"], [[3], [2], [1800]]),
        # the words siblings share ("value") do not bind; their own do
        ("an initial investment of $2000, final value of $3000 over 4 years",
         ["initial_value", "final_value", "period_in_years"], [[2000], [3000], [4]]),
        # "as 6cm and 10cm" puts "height" next to 6 alone, and "base" too: neither binds
        ("the lengths of its base and height as 6cm and 10cm",
         ["base", "height"], [[6, 10], [6, 10]]),
        # names that differ only by a digit bind nothing
        ("its three sides are 5 units, 4 units and 3 units long",
         ["side1", "side2", "side3"], [[5, 4, 3]] * 3),
    ],
)  # fmt: skip
def test_siblings_are_bound_together(
    text: str, names: list[str], expected: list[list[float]]
) -> None:
    from pocketmind.tools.grounding import numbers

    bound = bind_siblings(names, text, numbers([text]))
    assert [bound[n] for n in names] == [[float(v) for v in e] for e in expected]


def test_a_list_of_common_words_asks_for_no_other_call() -> None:
    text = "a triangle with a base of 10 units and height of 5 units"
    assert next_items(text, {"unit": "units"}, [{"unit": "units"}]) == {}
