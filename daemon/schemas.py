"""Request and response bodies of the daemon's API (the OpenAPI schema comes from here).

Our own endpoints refuse unknown fields (a typo is an error, not a silent default);
the OpenAI-compatible ones ignore them, as OpenAI clients send many. Strings with a lone
surrogate are refused by pydantic itself; numbers must be finite, and free-form JSON
objects (``meta``, ``payload``) must hold nothing SQLite's JSON would refuse.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from ..validation import json_problem

TEXT_MAX = 64 * 1024


def _storable(value: dict[str, Any]) -> dict[str, Any]:
    if problem := json_problem(value):
        raise ValueError(problem)
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_storable)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventIn(Strict):
    source: str = Field(min_length=1, max_length=200)
    kind: str = Field(min_length=1, max_length=200)
    payload: JsonObject
    at: str | None = Field(default=None, max_length=64, description="ISO 8601")
    key: str | None = Field(
        default=None, min_length=1, max_length=200, description="Idempotency key per source"
    )
    untrusted: bool = True


class EventsIn(Strict):
    events: list[EventIn] = Field(min_length=1, max_length=1000)


class EventsOut(BaseModel):
    ids: list[int]
    queue_depth: int


class MemoryIn(Strict):
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    kind: str = Field(default="note", min_length=1, max_length=200)
    source: str = Field(default="user", min_length=1, max_length=200)
    at: str | None = Field(default=None, max_length=64)
    importance: float = Field(default=0.5, ge=0, le=1, allow_inf_nan=False)
    meta: JsonObject = Field(default_factory=dict)


class MemoriesIn(Strict):
    """A batch for ``memory import`` through the daemon: one transaction, all or none."""

    memories: list[MemoryIn] = Field(min_length=1, max_length=1000)
    where: list[str] | None = Field(default=None, max_length=1000)


class Remembered(BaseModel):
    id: int
    created: bool
    duplicate_of: str | None


class ForgetIn(Strict):
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=5, ge=1, le=100)
    min_similarity: float | None = Field(
        default=None,
        ge=-1,
        le=1,
        allow_inf_nan=False,
        description="Cosine similarity to the query a memory must reach "
        "(default: memory.forget_min_similarity)",
    )
    confirm: bool = Field(
        default=False, description="Forget the matches; without it, only show them"
    )


class Forgotten(BaseModel):
    forgotten: list[int] = Field(description="Ids forgotten (none without confirm)")
    matches: list[dict[str, Any]] = Field(
        default_factory=list, description="The memories the query matched closely enough"
    )
    min_similarity: float | None = None
    confirmed: bool = False


class ChatIn(Strict):
    question: str = Field(min_length=1, max_length=TEXT_MAX)
    conversation_id: str | None = Field(default=None, min_length=1, max_length=100)
    now: str | None = Field(default=None, max_length=64)
    stream: bool = True


class AdapterIn(Strict):
    path: str | None = Field(
        default=None, max_length=4096, description="GGUF LoRA adapter; null: none"
    )


FUNCTION_NAME = r"^[A-Za-z0-9_.-]{1,64}$"


class OpenAIFunctionCall(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(pattern=FUNCTION_NAME)
    arguments: str = Field(default="{}", max_length=TEXT_MAX)

    def parsed(self) -> dict[str, Any]:
        try:
            value = json.loads(self.arguments)
        except json.JSONDecodeError:
            return {"_unparsed": self.arguments}
        return value if isinstance(value, dict) else {"_value": value}


class OpenAIToolCall(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(default="", max_length=200)
    type: Literal["function"] = "function"
    function: OpenAIFunctionCall


class OpenAIFunction(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(pattern=FUNCTION_NAME)
    description: str = Field(default="", max_length=TEXT_MAX)
    parameters: dict[str, Any] | None = None

    @field_validator("parameters")
    @classmethod
    def _schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and value.get("type", "object") != "object":
            raise ValueError("parameters: must be a JSON Schema of type object")
        if problem := json_problem(value, "parameters"):
            raise ValueError(problem)
        return value


class OpenAITool(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["function"] = "function"
    function: OpenAIFunction


class NamedFunction(BaseModel):
    name: str = Field(pattern=FUNCTION_NAME)


class NamedToolChoice(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["function"] = "function"
    function: NamedFunction


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[OpenAIToolCall] | None = Field(default=None, max_length=64)
    tool_call_id: str | None = Field(default=None, max_length=200)

    @field_validator("content")
    @classmethod
    def _storable(cls, value: str | list[dict[str, Any]] | None) -> Any:
        if problem := json_problem(value, "content"):
            raise ValueError(problem)
        return value

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(
                str(part.get("text", "")) for part in self.content if part.get("type") == "text"
            )
        return self.content or ""


class OpenAIChatIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: str = Field(default="pocketmind", max_length=200)
    messages: list[OpenAIMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    max_tokens: int | None = Field(default=None, ge=1, le=32768)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=32768)
    temperature: float | None = Field(default=None, ge=0, le=2, allow_inf_nan=False)
    # The client's own functions: the model may call them, PocketMind never runs them.
    tools: list[OpenAITool] = Field(default_factory=list, max_length=128)
    tool_choice: Literal["none", "auto", "required"] | NamedToolChoice = "auto"
    parallel_tool_calls: bool | None = None  # false: at most one call per turn


class ReminderIn(Strict):
    text: str = Field(min_length=1, max_length=500)
    at: str | None = Field(default=None, max_length=100, description='"tomorrow 18:00"')
    every: str | None = Field(default=None, max_length=100, description='"day at 8"')
    arrive: str | None = Field(default=None, max_length=80, description="place name or id")
    leave: str | None = Field(default=None, max_length=80)
    battery_below: int | None = Field(default=None, ge=1, le=100)
    wifi: str | None = Field(default=None, min_length=1, max_length=100)
    repeat: bool = False
    urgent: bool = False


class SnoozeIn(Strict):
    minutes: float = Field(default=10, ge=1, le=7 * 24 * 60, allow_inf_nan=False)


class FeedbackIn(Strict):
    rating: Literal["good", "bad"]
    correction: str | None = Field(default=None, max_length=TEXT_MAX)


class ExportIn(Strict):
    name: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="A folder name under $POCKETMIND_HOME/exports (default: the time). "
        "The API writes nowhere else.",
    )
    all: bool = False
