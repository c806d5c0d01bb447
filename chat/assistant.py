"""Grounded answers: retrieve, assemble, stream, keep the trace, learn facts.

``Assistant.stream()`` yields the visible answer piece by piece (think blocks never
reach the user); once the stream is exhausted, ``stream.answer`` holds the stored
exchange: its id, the memories used, and the timing figures.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..engine.base import ChatOptions, ChatStats, Engine, EngineError, Message
from ..engine.thinking import ThinkingFilter, split_thinking
from ..exchanges import ExchangeLog
from ..memory import MemoryStore, SearchResult
from ..memory.model import Memory
from ..retrieval import Retriever
from ..settings import Settings
from ..validation import InputError, clean_text
from . import support
from .facts import FactExtractor, learned_in, remember_fact, worth_extracting
from .intents import IntentRouter
from .prompt import BuiltPrompt, PromptBuilder
from .statements import confirmation, read_statement

if TYPE_CHECKING:
    from ..tools.gate import Origin
    from .acting import Acting

log = logging.getLogger(__name__)
SKILL_PREFIX = "skill:"  # an intent's reply is recorded as "skill:<intent>", not a model's
FACTS_MODEL_ID = "skill:facts"  # "Noted: ..." and "undone", read by the statement grammar
_UNDO = {"undo", "undo that", "undo it", "no undo", "take that back", "forget that"}
UNDO_HINT = ' (Say "undo" to take it back.)'


@dataclass
class Answer:
    text: str
    conversation_id: str
    exchange_id: int
    memories: list[SearchResult]
    stats: ChatStats
    facts_learned: list[int]
    cited: list[int] = field(default_factory=list)  # the memories the answer rests on
    # True: checked and supported; False: the model's answer was replaced by what was
    # found ("I'm not sure. The closest memory: ..."); None: not checked (not personal).
    supported: bool | None = None
    action: dict[str, Any] | None = None  # an action proposed and waiting for a yes
    plan: dict[str, Any] | None = None  # the plan when the turn planned (Plan.to_json)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "answer": self.text,
            "plan": self.plan,
            "conversation_id": self.conversation_id,
            "exchange_id": self.exchange_id,
            "memories": [
                {**r.to_json(), "cited": r.memory.id in self.cited} for r in self.memories
            ],
            "cited": self.cited,
            "supported": self.supported,
            "timing": self.stats.to_json(),
            "facts_learned": self.facts_learned,
            # POST /exchanges/{exchange_id}/undo takes them back
            "undo": self.exchange_id if self.facts_learned else None,
        }


@dataclass
class _Outcome:
    """Where the generator leaves its answer; it must not point back at the stream, or
    an abandoned stream would sit in a reference cycle holding the model's lock."""

    answer: Answer | None = None


class AnswerStream:
    """Iterate for the visible text; ``answer`` is set when iteration ends.

    ``close()`` (or dropping the stream) abandons the answer and releases the model.
    """

    def __init__(self, pieces: Iterator[str], outcome: _Outcome) -> None:
        self._pieces = pieces
        self._outcome = outcome

    @property
    def answer(self) -> Answer | None:
        return self._outcome.answer

    def __iter__(self) -> Iterator[str]:
        return self._pieces

    def close(self) -> None:
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()

    def finish(self) -> Answer:
        for _ in self._pieces:
            pass
        assert self.answer is not None
        return self.answer


class Assistant:
    """route intent → retrieve → prompt → engine → record.

    Its parts are given: the ``retriever`` that finds memories, the ``prompts`` builder
    (made per request from the engine's context when not given) and the intent
    ``router`` that skills register with (none when not given).
    """

    def __init__(
        self,
        store: MemoryStore,
        engine: Engine,
        settings: Settings,
        *,
        retriever: Retriever | None = None,
        prompts: PromptBuilder | None = None,
        router: IntentRouter | None = None,
        acting: Acting | None = None,
    ) -> None:
        self.store = store
        self.engine = engine
        self.settings = settings
        self.db = store.db  # the one Database the other rooms share with the memories
        self.exchanges = ExchangeLog(self.db)
        self.retriever = retriever or Retriever(store)
        self.prompts = prompts
        self.router = router or IntentRouter()
        self.acting = acting  # phone commands and their yes/no (chat/acting.py)
        self.facts = FactExtractor(engine, store)

    def builder(self) -> PromptBuilder:
        if self.prompts is not None:
            return self.prompts
        budget = self.engine.context_size - self.settings.engine.answer_tokens
        if budget <= 0:
            raise EngineError(
                f"context size {self.engine.context_size} leaves no room for a prompt after "
                f"the answer budget of {self.settings.engine.answer_tokens} tokens"
            )
        return PromptBuilder(
            self.settings.chat, budget, self.engine.count_tokens, self.settings.tz()
        )

    def profile(self) -> list[Memory]:
        """The user's standing facts, in a stable order so the prefix stays cached."""
        limit = self.settings.chat.profile_facts
        if limit <= 0:
            return []
        ids = self.store.lookup.top_facts(limit)
        found = self.store.get_many(ids)
        return [found[i] for i in ids if i in found]

    def prepare(
        self,
        question: str,
        conversation_id: str,
        now: datetime | None = None,
        history: list[tuple[str, str]] | None = None,
    ) -> BuiltPrompt:
        """The prompt for ``question``. ``history`` given (an OpenAI client's messages)
        replaces the stored conversation."""
        with self.store.lock:
            found = (
                self.retriever.search(question, k=self.settings.chat.memories, now=now)
                if self.settings.chat.memories
                else []
            )
            memories = self._keep_earlier(conversation_id, found)
            if history is None:
                history = self.exchanges.recent(conversation_id, self.settings.chat.history_turns)
            profile = self.profile()
        return self.builder().build(question, memories, history, profile)

    def _keep_earlier(self, conversation_id: str, found: list[SearchResult]) -> list[SearchResult]:
        """The previous turn's memories first, in their order, then the new ones.

        A follow-up usually needs what the last turn used ("and her dog?"), and keeping
        that block byte-identical lets llama.cpp reuse the cached prompt up to the end
        of it. Earlier memories found again carry their new score; the rest score 0, so
        they are the first to go when the budget is tight.
        """
        earlier = self.exchanges.last_memory_ids(conversation_id)
        if not earlier:
            return found
        fresh = {r.memory.id: r for r in found}
        known = self.store.get_many(earlier)
        kept = [
            fresh.pop(memory_id) if memory_id in fresh else SearchResult(known[memory_id], 0.0)
            for memory_id in earlier
            if memory_id in known and known[memory_id].superseded_by is None
        ]
        return kept + [r for r in found if r.memory.id in fresh]

    def ask(self, question: str, **kwargs: Any) -> Answer:
        return self.stream(question, **kwargs).finish()

    def stream(
        self,
        question: str,
        *,
        conversation_id: str | None = None,
        now: datetime | None = None,
        learn: bool | None = None,
        history: list[tuple[str, str]] | None = None,
        origin: Origin = "user",
    ) -> AnswerStream:
        """``origin`` "skill": a turn no user typed; it is never read as a command, answers
        no waiting question and cannot act outside the phone."""
        question = clean_text(question, self.settings.memory.max_text_bytes, "question")
        conversation = conversation_id or uuid.uuid4().hex
        if len(conversation) > 100:
            raise InputError("conversation_id: longer than 100 characters")
        # An OpenAI client's turn (``history`` given) is not read as a phone command.
        if history is None and (acted := self._act(question, conversation, origin)) is not None:
            return acted
        if (routed := self.router.route(question, conversation, now)) is not None:
            return self._canned(
                routed.reply, question, conversation, SKILL_PREFIX + routed.name, plan=routed.plan
            )
        if " ".join(question.lower().strip(" .!").split()) in _UNDO:
            return self._undo_last(question, conversation)
        if history is None and (acted := self._act(question, conversation, origin, True)):
            return acted
        if (self.settings.chat.extract_facts if learn is None else learn) and (
            stated := read_statement(question)
        ):
            reply = confirmation(stated)
            stream = self._canned(reply + UNDO_HINT, question, conversation, FACTS_MODEL_ID)
            answer = stream.answer
            assert answer is not None
            at = now or datetime.now(UTC)
            for fact in stated:
                kept = remember_fact(
                    self.store, fact.subject, fact.statement, at, answer.exchange_id
                )
                if kept is not None and kept.created:  # a repeat is already known
                    answer.facts_learned.append(kept.id)
            return stream
        built = self.prepare(question, conversation, now, history)
        outcome = _Outcome()
        return AnswerStream(self._run(outcome, question, conversation, built, now, learn), outcome)

    def regenerate(self, exchange_id: int) -> AnswerStream:
        """Answer the same prompt again (warmer, another seed). If the user keeps the new
        answer, export pairs it over the first one."""
        original = self.exchanges.get(exchange_id)
        if original is None or not original.prompt or original.model_id.startswith(SKILL_PREFIX):
            raise InputError(f"exchange {exchange_id}: no model answer to regenerate")
        kept = self.store.get_many(original.memory_ids)
        built = BuiltPrompt(
            [Message(m["role"], m["content"]) for m in original.prompt],  # type: ignore[arg-type]
            [SearchResult(kept[i], 0.0) for i in original.memory_ids if i in kept],
            0,
            0,
            0,
        )
        outcome = _Outcome()
        pieces = self._run(
            outcome,
            original.user_text,
            original.conversation_id,
            built,
            None,
            False,
            regenerates=exchange_id,
        )
        return AnswerStream(pieces, outcome)

    def undo(self, exchange_id: int) -> list[int]:
        """Forget the facts learned in an exchange (older facts they replaced come back)."""
        return self.store.forget_many(learned_in(self.store, exchange_id))

    def _act(
        self, question: str, conversation: str, origin: Origin, by_model: bool = False
    ) -> AnswerStream | None:
        """A phone command proposed, or the conversation's waiting action decided; with
        ``by_model``, the model's proposal for an action the grammar could not read."""
        if self.acting is None:
            return None
        from .acting import ACTIONS_MODEL_ID

        if by_model:
            acted = self.acting.propose(question, conversation, origin)
        else:
            acted = self.acting.handle(question, conversation, origin)
        if acted is None:
            return None
        return self._canned(
            acted.text, question, conversation, ACTIONS_MODEL_ID, acted.action_json()
        )

    def _undo_last(self, question: str, conversation: str) -> AnswerStream:
        last = self.exchanges.last_exchange_id(conversation)
        undone = self.undo(last) if last is not None else []
        reply = (
            f"Undone: I forgot {len(undone)} fact{'s' if len(undone) != 1 else ''} "
            "from your last message."
            if undone
            else "There was nothing to undo."
        )
        return self._canned(reply, question, conversation, FACTS_MODEL_ID)

    def _canned(
        self,
        reply: str,
        question: str,
        conversation: str,
        model_id: str,
        action: dict[str, Any] | None = None,
        plan: dict[str, Any] | None = None,
    ) -> AnswerStream:
        # Marked as the skill's reply, not the model's: export leaves it out of training.
        stats = ChatStats(model_id, None, finish_reason="stop")
        exchange_id = self.exchanges.record(
            conversation, question, reply, [Message("user", question)], [], stats
        )
        answer = Answer(reply, conversation, exchange_id, [], stats, [], action=action, plan=plan)
        outcome = _Outcome(answer)
        return AnswerStream(iter([reply]), outcome)

    def _run(
        self,
        outcome: _Outcome,
        question: str,
        conversation: str,
        built: BuiltPrompt,
        now: datetime | None,
        learn: bool | None,
        regenerates: int | None = None,
    ) -> Iterator[str]:
        options = ChatOptions(
            max_tokens=self.settings.engine.answer_tokens,
            temperature=self.settings.engine.temperature
            if regenerates is None
            else max(0.8, self.settings.engine.temperature),
            seed=None if regenerates is None else regenerates * 7919 + 1,
        )
        evidence = built.memories + [
            SearchResult(m, 0.0)
            for m in self.profile()
            if m.id not in {r.memory.id for r in built.memories}
        ]
        # A personal question's answer is checked before any of it is shown: an answer
        # nothing supports must not reach the user as fact, not even for a moment.
        checking = self.settings.chat.check_support and support.is_personal(question, evidence)
        raw: list[str] = []
        visible = ThinkingFilter()
        chat = self.engine.chat(built.messages, options)
        for piece in chat:
            raw.append(piece)
            if (shown := visible.feed(piece)) and not checking:
                yield shown
        if (rest := visible.flush()) and not checking:
            yield rest
        thoughts, answer = split_thinking("".join(raw))
        answer = answer.strip()
        cited: list[int] = []
        supported: bool | None = None
        if checking:
            found = support.check(answer, question, evidence)
            cited, supported = found.cited, found.supported
            if not found.supported:
                answer = support.not_sure(found.closest, self.settings.tz())
                cited = [found.closest.memory.id] if found.closest else []
            yield answer
        exchange_id = self.exchanges.record(
            conversation,
            question,
            answer,
            built.messages,
            [r.memory.id for r in built.memories],
            chat.stats,
            thinking=thoughts if self.settings.engine.keep_thinking and thoughts else None,
            regenerates=regenerates,
        )
        learned: list[int] = []
        if (self.settings.chat.extract_facts if learn is None else learn) and worth_extracting(
            question
        ):
            at = now or datetime.now(UTC)
            learned = [r.id for r in self.facts.learn(question, at=at, exchange_id=exchange_id)]
        outcome.answer = Answer(
            answer, conversation, exchange_id, built.memories, chat.stats, learned, cited, supported
        )
