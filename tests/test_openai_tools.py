"""An OpenAI client's ``tools`` on /v1/chat/completions: the model calls them, the reply
carries ``tool_calls`` in OpenAI's shape, and PocketMind runs none of them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from daemon_helpers import DaemonProcess

from pocketmind.daemon import schemas
from pocketmind.daemon.openai_tools import answer_with_tools
from pocketmind.engine.fake import FakeEngine

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city now",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
TIME = {
    "type": "function",
    "function": {"name": "get_time", "description": "The time now", "parameters": {}},
}


def _body(**fields: Any) -> schemas.OpenAIChatIn:
    messages = [{"role": "user", "content": "What's the weather in Lisbon?"}]
    return schemas.OpenAIChatIn.model_validate({"messages": messages, **fields})


def test_the_model_picks_a_tool_then_fills_its_schema() -> None:
    engine = FakeEngine(
        [json.dumps({"tool": "get_weather"}), json.dumps({"city": "Lisbon"}), '{"tool": "none"}']
    )
    reply = answer_with_tools(engine, _body(tools=[WEATHER, TIME]), 64, 0.2, guided=False)
    assert reply.text is None and reply.finish_reason == "tool_calls"
    (call,) = reply.calls
    assert (call.name, call.arguments) == ("get_weather", {"city": "Lisbon"})
    pick, arguments, again = engine.options
    assert again.json_schema == pick.json_schema  # another call, or none
    assert pick.json_schema is not None
    assert pick.json_schema["properties"]["tool"]["enum"] == ["get_weather", "get_time", "none"]
    assert arguments.json_schema == WEATHER["function"]["parameters"]  # type: ignore[index]
    assert '"name": "get_weather"' in engine.prompts[0][0].content  # the tools are in the prompt


def test_parallel_calls_come_one_pick_at_a_time_until_none_or_a_repeat() -> None:
    lisbon, porto = json.dumps({"city": "Lisbon"}), json.dumps({"city": "Porto"})
    pick = json.dumps({"tool": "get_weather"})
    engine = FakeEngine([pick, lisbon, pick, porto, pick, porto])
    reply = answer_with_tools(engine, _body(tools=[WEATHER, TIME]), 64, 0.2, guided=False)
    assert [c.arguments["city"] for c in reply.calls] == ["Lisbon", "Porto"]  # Porto twice: ends
    assert '"arguments": {"city": "Lisbon"}' in engine.prompts[2][-2].content  # what it made
    engine = FakeEngine([pick, lisbon, pick, porto])
    body = _body(tools=[WEATHER, TIME], parallel_tool_calls=False)
    assert len(answer_with_tools(engine, body, 64, 0.2, guided=False).calls) == 1
    assert len(engine.prompts) == 2  # not asked for another


def test_none_answers_in_words_and_required_leaves_no_way_out() -> None:
    engine = FakeEngine([json.dumps({"tool": "none"}), "It is sunny, I think."])
    reply = answer_with_tools(engine, _body(tools=[WEATHER]), 64, 0.2, guided=False)
    assert (reply.text, reply.calls, reply.finish_reason) == ("It is sunny, I think.", [], "stop")
    engine = FakeEngine([json.dumps({"tool": "get_weather"}), json.dumps({"city": "Porto"})])
    answer_with_tools(
        engine, _body(tools=[WEATHER, TIME], tool_choice="required"), 64, 0.2, guided=False
    )
    assert engine.options[0].json_schema["properties"]["tool"]["enum"] == [  # type: ignore[index]
        "get_weather",
        "get_time",
    ]


def test_earlier_calls_and_their_results_go_back_to_the_model() -> None:
    engine = FakeEngine([json.dumps({"tool": "none"}), "Sunny in Lisbon."])
    body = schemas.OpenAIChatIn.model_validate(
        {
            "tools": [WEATHER],
            "messages": [
                {"role": "user", "content": "Weather in Lisbon?"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Lisbon"}'},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 24C"},
            ],
        }
    )
    assert answer_with_tools(engine, body, 64, 0.2, guided=False).text == "Sunny in Lisbon."
    sent = engine.prompts[-1]
    assert [m.role for m in sent] == ["system", "user", "assistant", "user"]
    assert '"arguments": {"city": "Lisbon"}' in sent[2].content
    assert sent[3].content == "<tool_response>\nsunny, 24C\n</tool_response>"


EMISSIONS = {
    "type": "function",
    "function": {
        "name": "calculate_emissions",
        "description": "Annual carbon dioxide emissions of a car from its fuel efficiency",
        "parameters": {
            "type": "object",
            "properties": {
                "distance": {"type": "integer", "description": "Miles driven a year"},
                "fuel_type": {"type": "string"},
            },
            "required": ["distance"],
        },
    },
}


def _asked(text: str, **fields: Any) -> schemas.OpenAIChatIn:
    return schemas.OpenAIChatIn.model_validate(
        {"messages": [{"role": "user", "content": text}], **fields}
    )


def test_guided_a_request_that_shares_no_word_with_any_tool_calls_none() -> None:
    engine = FakeEngine(["Shakespeare wrote it."])
    reply = answer_with_tools(
        engine, _asked("Who wrote Hamlet?", tools=[WEATHER, EMISSIONS]), 64, 0
    )
    assert (reply.text, reply.calls) == ("Shakespeare wrote it.", [])
    assert engine.options[0].json_schema is None  # the model was never asked to pick


def test_guided_the_words_choose_the_tool_and_the_model_copies_the_values() -> None:
    asked = (
        "How much CO2 does my gas car emit annually over 12,000 miles at 25 MPG fuel efficiency?"
    )
    engine = FakeEngine([json.dumps({"distance": 12000, "fuel_type": "gas"}), '{"tool": "none"}'])
    reply = answer_with_tools(engine, _asked(asked, tools=[WEATHER, EMISSIONS]), 64, 0)
    (call,) = reply.calls
    assert (call.name, call.arguments) == (
        "calculate_emissions",
        {"distance": 12000, "fuel_type": "gas"},
    )
    arguments, again = engine.options
    assert arguments.json_schema is not None  # no pick: two shared words made the call due
    props = arguments.json_schema["properties"]
    assert props["distance"]["enum"] == [12000, 25]  # only numbers the user stated
    assert "gas car" in props["fuel_type"]["enum"] and "Lisbon" not in props["fuel_type"]["enum"]
    assert again.json_schema is not None
    assert again.json_schema["properties"]["tool"]["enum"] == ["calculate_emissions", "none"]


def test_guided_each_request_of_a_message_gets_its_own_call() -> None:
    asked = (
        "What's the weather in Lisbon city now? Also, my car's annual emissions over 9000 miles."
    )
    engine = FakeEngine(
        [
            json.dumps({"city": "Lisbon"}),
            '{"tool": "none"}',
            json.dumps({"distance": 9000}),
            '{"tool": "none"}',
        ]
    )
    reply = answer_with_tools(engine, _asked(asked, tools=[WEATHER, EMISSIONS]), 64, 0)
    assert [(c.name, c.arguments) for c in reply.calls] == [
        ("get_weather", {"city": "Lisbon"}),
        ("calculate_emissions", {"distance": 9000}),
    ]
    second = engine.prompts[2]
    assert "“Also, my car's annual emissions over 9000 miles.”" in second[-1].content
    assert '"name": "get_weather"' in second[-2].content  # what it made so far goes back
    # Without parallel calls the first request's call is the only one.
    engine = FakeEngine([json.dumps({"city": "Lisbon"})])
    body = _asked(asked, tools=[WEATHER, EMISSIONS], parallel_tool_calls=False)
    assert len(answer_with_tools(engine, body, 64, 0).calls) == 1


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    process = DaemonProcess(tmp_path / "home").start()
    yield process
    process.stop()


def test_the_official_openai_client_gets_tool_calls(daemon: DaemonProcess) -> None:
    import openai

    http = httpx.Client(transport=httpx.HTTPTransport(uds=str(daemon.settings.socket_path)))
    ai = openai.OpenAI(base_url="http://pocketmind/v1", api_key="unused", http_client=http)
    try:
        _ask_with_tools(ai)
    finally:
        http.close()
    with daemon.client() as client:
        assert client.request("GET", "/actions") == []  # PocketMind ran nothing


def _ask_with_tools(ai: Any) -> None:
    import openai

    messages: Any = [{"role": "user", "content": "What's the weather in Lisbon?"}]
    named: Any = {"type": "function", "function": {"name": "get_weather"}}
    reply = ai.chat.completions.create(
        model="fake-model",
        messages=messages,
        tools=[WEATHER],
        tool_choice=named,  # type: ignore[list-item]
    )
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.type == "function" and call.function.name == "get_weather"
    assert set(json.loads(call.function.arguments)) == {"city"}  # the fake fills the schema's keys

    stream = ai.chat.completions.create(
        model="fake-model",
        messages=messages,
        tools=[WEATHER],  # type: ignore[list-item]
        tool_choice="required",
        stream=True,
    )
    deltas = [c.choices[0] for c in stream if c.choices]
    streamed = [t for d in deltas for t in d.delta.tool_calls or []]
    assert [t.function.name for t in streamed if t.function] == ["get_weather"]
    assert deltas[-1].finish_reason == "tool_calls"

    # "auto": the fake model picks nothing, so the answer is words
    words = ai.chat.completions.create(model="fake-model", messages=messages, tools=[WEATHER])  # type: ignore[list-item]
    assert words.choices[0].message.content == "I don't know."
    assert words.choices[0].finish_reason == "stop"

    with pytest.raises(openai.UnprocessableEntityError) as refused:
        ai.chat.completions.create(
            model="fake-model",
            messages=messages,
            tools=[WEATHER],  # type: ignore[list-item]
            tool_choice={"type": "function", "function": {"name": "nope"}},
        )
    assert "no tool called 'nope'" in refused.value.response.text


FACTORIAL = {
    "type": "function",
    "function": {
        "name": "math_factorial",
        "description": "The factorial of a number",
        "parameters": {
            "type": "object",
            "properties": {"number": {"type": "integer"}},
            "required": ["number"],
        },
    },
}


def test_guided_numbers_no_call_used_ask_for_another_call_of_the_same_function() -> None:
    asked = "What is the factorial of 5, the factorial of 7, and the factorial of 9?"
    engine = FakeEngine(
        [
            '{"tool": "math_factorial"}',  # one shared word: the model is asked
            json.dumps({"number": 5}),
            '{"tool": "none"}',  # the model stops after one call...
            json.dumps({"number": 7}),  # ...7 and 9 are left: it is asked for them
            json.dumps({"number": 9}),
        ]
    )
    reply = answer_with_tools(engine, _asked(asked, tools=[FACTORIAL]), 64, 0)
    assert [c.arguments for c in reply.calls] == [{"number": 5}, {"number": 7}, {"number": 9}]
    assert engine.options[3].json_schema["properties"]["number"]["enum"] == [7, 9]  # type: ignore[index]
    assert engine.options[4].json_schema["properties"]["number"]["enum"] == [9]  # type: ignore[index]
    # Unguided, the model's "none" ends it.
    engine = FakeEngine([json.dumps({"tool": "math_factorial"}), json.dumps({"number": 5})])
    body = _asked(asked, tools=[FACTORIAL])
    assert len(answer_with_tools(engine, body, 64, 0, guided=False).calls) == 1


def test_guided_a_second_call_that_only_reshuffles_the_first_is_dropped() -> None:
    asked = "What is the factorial of 5?"
    engine = FakeEngine(
        [
            '{"tool": "math_factorial"}',
            json.dumps({"number": 5}),
            '{"tool": "math_factorial"}',
            json.dumps({"number": 5.0}),
        ]
    )
    reply = answer_with_tools(engine, _asked(asked, tools=[FACTORIAL]), 64, 0)
    assert [c.arguments for c in reply.calls] == [{"number": 5}]


PLAY = {
    "type": "function",
    "function": {
        "name": "play_artist",
        "description": "Play songs by an artist for a while",
        "parameters": {
            "type": "object",
            "properties": {"artist": {"type": "string"}, "minutes": {"type": "integer"}},
            "required": ["artist", "minutes"],
        },
    },
}


def test_guided_the_next_item_of_a_list_asks_for_another_call_held_to_it() -> None:
    asked = "Play the artists Taylor Swift and Maroon 5 for 20 minutes and 15 minutes"
    engine = FakeEngine(
        [
            json.dumps({"artist": "Taylor Swift", "minutes": 20}),  # due: no pick
            '{"tool": "none"}',  # the model stops after one call
            json.dumps({"artist": "Maroon 5", "minutes": 15}),
        ]
    )
    reply = answer_with_tools(engine, _asked(asked, tools=[PLAY]), 64, 0)
    assert [c.arguments for c in reply.calls] == [
        {"artist": "Taylor Swift", "minutes": 20},
        {"artist": "Maroon 5", "minutes": 15},
    ]
    second = engine.options[2].json_schema["properties"]  # type: ignore[index]
    assert second["artist"]["enum"] == ["Maroon", "Maroon 5"]  # the list's next item only
    assert second["minutes"]["enum"] == [15]  # the number no call used, said alike
    # A comma that starts a new clause is no list: "Maya, I'll be late" asks nothing more.
    engine = FakeEngine(
        [
            '{"tool": "play_artist"}',
            json.dumps({"artist": "Maya", "minutes": 5}),
            '{"tool": "none"}',
        ]
    )
    body = _asked("Play Maya, I'll listen for 5 minutes", tools=[PLAY])
    assert len(answer_with_tools(engine, body, 64, 0).calls) == 1
