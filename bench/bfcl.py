"""BFCL (Berkeley Function Calling Leaderboard) non-live categories, scored by BFCL's own
AST checker, for PocketMind's constrained tool path beside raw prompting of the same model.

BFCL's data and checker come from the ``bfcl-eval`` package, installed in a SEPARATE
environment (its dependencies pin numpy and pull every vendor SDK, so it stays out of
ours)::

    python3 -m venv ../bfcl-venv && ../bfcl-venv/bin/pip install --no-deps bfcl-eval
    python bench/bfcl.py --bfcl-site ../bfcl-venv/lib/python3.11/site-packages --limit 20

Only ``bfcl_eval`` is imported from there: its checker needs nothing but the standard
library, except ``bfcl_eval.constants.model_config``, which imports every vendor's SDK
to build a table of models and is read only for ``underscore_to_dot``; a small module
with that one field (False: our names keep their dots) stands in for it. Nothing of
BFCL's data is copied here.

Rows, each on the same questions in one run:

- ``raw``: the model prompted with the functions as JSON and asked for
  ``{"name", "arguments"}`` or words, no grammar (``create_chat_completion`` as is);
- ``pocketmind``: ``daemon/openai_tools.answer_with_tools``, the path ``tools`` on
  ``/v1/chat/completions`` takes (and the same two grammars as the phone agent): which
  function or none, then that function's parameters, then "another, or none?";
- ``api``: the same questions as HTTP requests with ``tools`` to ``/v1/chat/completions``
  of a real daemon (``pocketmind up`` in a scratch home, the same packaged model, on its
  Unix socket), reading ``tool_calls`` back as any OpenAI client would.

Irrelevance is scored as BFCL scores it: right when no call comes back.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agent import make_engine

from pocketmind.daemon import schemas
from pocketmind.daemon.openai_tools import answer_with_tools
from pocketmind.engine.base import ChatOptions, Engine, EngineError, Message
from pocketmind.engine.thinking import strip_thinking
from pocketmind.engine.toolcalls import parse_tool_calls

MODEL = "pocketmind"
CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance")
TYPES = {"dict": "object", "float": "number", "tuple": "array", "any": None}
RAW_PROMPT = """You can call these functions:
{functions}

To call one, reply with only {{"name": FUNCTION, "arguments": {{...}}}}. If none of them \
fits the request, answer in words."""


def load_checker(site: str | None) -> Callable[..., dict[str, Any]]:
    """BFCL's ``ast_checker``, with the one module it needs from a vendor-SDK world
    replaced by what it reads from it."""
    if site:
        sys.path.append(site)

    @dataclass
    class Config:
        underscore_to_dot: bool = False

    stand_in = types.ModuleType("bfcl_eval.constants.model_config")
    stand_in.MODEL_CONFIG_MAPPING = {MODEL: Config()}  # type: ignore[attr-defined]
    sys.modules["bfcl_eval.constants.model_config"] = stand_in
    from bfcl_eval.constants.enums import Language
    from bfcl_eval.eval_checker.ast_eval.ast_checker import (
        ast_checker,
    )

    def check(functions: Any, output: Any, answer: Any, category: str) -> dict[str, Any]:
        result: dict[str, Any] = ast_checker(
            functions, output, answer, Language.PYTHON, category, MODEL
        )
        return result

    return check


def load(category: str, limit: int) -> list[tuple[dict[str, Any], Any]]:
    """(entry, ground truth) pairs from the installed package's data files."""
    import bfcl_eval

    data = Path(bfcl_eval.__file__).parent / "data"
    entries = [json.loads(line) for line in (data / f"BFCL_v4_{category}.json").open()]
    answers: dict[str, Any] = {}
    truth = data / "possible_answer" / f"BFCL_v4_{category}.json"
    if truth.exists():
        for line in truth.open():
            row = json.loads(line)
            answers[row["id"]] = row["ground_truth"]
    # Spread over the category (every k-th), not its first entries: BFCL's files are
    # grouped by source, so the first twenty of a category are twenty of one kind.
    picked = entries[:: max(1, len(entries) // limit)][:limit] if limit else entries
    return [(e, answers.get(e["id"])) for e in picked]


def json_schema(value: Any) -> Any:
    """BFCL's function parameters (``dict``, ``float``, ``tuple``, ``any``) as JSON Schema."""
    if isinstance(value, list):
        return [json_schema(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "type" and isinstance(item, str):
            mapped = TYPES.get(item, item)
            if mapped is not None:
                out[key] = mapped
        elif key == "properties" and isinstance(item, dict):
            out[key] = {name: json_schema(v) for name, v in item.items()}
        elif key in ("optional", "default"):
            continue  # not JSON Schema keywords our grammar builder needs
        else:
            out[key] = json_schema(item)
    return out


def tools(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": f["name"],
                "description": f.get("description", "")[:4000],
                "parameters": json_schema(f.get("parameters", {"type": "dict", "properties": {}})),
            },
        }
        for f in entry["function"]
    ]


def question(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for turn in entry["question"] for m in turn]


def ask_pocketmind(
    engine: Engine, entry: dict[str, Any], guided: bool = True
) -> list[dict[str, Any]]:
    body = schemas.OpenAIChatIn.model_validate({"messages": question(entry), "tools": tools(entry)})
    reply = answer_with_tools(engine, body, 256, 0.0, guided=guided)
    return [{c.name: c.arguments} for c in reply.calls]


def ask_unguided(engine: Engine, entry: dict[str, Any]) -> list[dict[str, Any]]:
    return ask_pocketmind(engine, entry, guided=False)


def ask_raw(engine: Engine, entry: dict[str, Any]) -> list[dict[str, Any]]:
    functions = "\n".join(json.dumps(t["function"], ensure_ascii=False) for t in tools(entry))
    messages = [Message("system", RAW_PROMPT.format(functions=functions))]
    messages += [Message(m["role"], m["content"]) for m in question(entry)]
    text = strip_thinking(engine.chat(messages, ChatOptions(max_tokens=256, temperature=0)).text())
    parsed = parse_tool_calls(text)
    if parsed.calls:
        return [{c.name: c.arguments} for c in parsed.calls]
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start : end + 1]) if start >= 0 else None
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("name"), str):
        arguments = data.get("arguments")
        return [{data["name"]: arguments if isinstance(arguments, dict) else {}}]
    return []


class DaemonApi:
    """A real ``pocketmind up`` in a scratch home, asked over its Unix socket."""

    def __init__(self, url: str | None) -> None:
        import os
        import subprocess
        import tempfile

        import httpx

        self.home = tempfile.TemporaryDirectory()
        env = {**os.environ, "POCKETMIND_HOME": self.home.name}
        env["POCKETMIND_EMBEDDER__BACKEND"] = "fake"  # no retrieval on this path
        if url:
            env |= {"POCKETMIND_ENGINE__BACKEND": "http", "POCKETMIND_ENGINE__URL": url}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pocketmind.cli", "up"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        from pocketmind.settings import load_settings

        socket = load_settings(Path(self.home.name)).socket_path
        transport = httpx.HTTPTransport(uds=str(socket))
        self.http = httpx.Client(transport=transport, base_url="http://pocketmind", timeout=600)
        for _ in range(600):
            if self.process.poll() is not None:
                raise RuntimeError("the daemon exited while starting")
            try:
                if self.http.get("/health").status_code < 500:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the daemon did not start")

    def __call__(self, _engine: Engine, entry: dict[str, Any]) -> list[dict[str, Any]]:
        body = {"messages": question(entry), "tools": tools(entry), "max_tokens": 256}
        body["temperature"] = 0
        reply = self.http.post("/v1/chat/completions", json=body)
        if reply.status_code != 200:
            raise ValueError(f"HTTP {reply.status_code}: {reply.text[:200]}")
        message = reply.json()["choices"][0]["message"]
        return [
            {c["function"]["name"]: json.loads(c["function"]["arguments"])}
            for c in message.get("tool_calls") or []
        ]

    def close(self) -> None:
        self.http.close()
        self.process.terminate()
        self.process.wait(timeout=60)
        self.home.cleanup()


def score(
    check: Callable[..., dict[str, Any]],
    category: str,
    entry: dict[str, Any],
    answer: Any,
    output: list[dict[str, Any]],
) -> bool:
    if category == "irrelevance":
        return not output  # BFCL: any decoded call is a failure here
    if not output:
        return False
    return bool(check(entry["function"], output, answer, category)["valid"])


def shortlist_stats(categories: list[str]) -> None:
    """No model: how the guided path's word shortlist (tools/grounding.py) sorts each
    category. Its rule was read off BFCL's live categories, which are not reported."""
    from pocketmind.tools.grounding import shortlist, tool_words

    print("category            n   tool due  model decides  no tool  gold among offered")
    for category in categories:
        due = ask = none = among = n = 0
        for entry, answer in load(category, 0):
            words = {
                f["name"]: tool_words(f["name"], f.get("description", ""), f.get("parameters"))
                for f in entry["function"]
            }
            users = [m["content"] for m in question(entry) if m["role"] == "user"]
            names, must = shortlist(users[-1] if users else "", words)
            n += 1
            due += bool(names) and must
            ask += bool(names) and not must
            none += not names
            gold = {name for call in answer or [] for name in call}
            among += bool(gold) and bool(gold & set(names))
        print(
            f"{category:18s} {n:4d}  {due / n:8.3f}  {ask / n:13.3f}  {none / n:7.3f}  "
            f"{among / n:18.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bfcl-site", help="site-packages of the venv holding bfcl-eval")
    parser.add_argument("--categories", default=",".join(CATEGORIES))
    parser.add_argument("--rows", default="raw,pocketmind,api")
    parser.add_argument("--limit", type=int, default=20, help="questions per category (0: all)")
    parser.add_argument("--engine-url", help="an OpenAI-compatible server instead")
    parser.add_argument("--json", dest="as_json", help="also write per-question results here")
    parser.add_argument("--adapter", type=Path, help="a LoRA GGUF: the `adapter` row")
    parser.add_argument(
        "--shortlist", action="store_true", help="only the word shortlist's split, no model"
    )
    args = parser.parse_args()
    if args.shortlist:
        load_checker(args.bfcl_site)
        shortlist_stats(args.categories.split(","))
        return

    check = load_checker(args.bfcl_site)
    engine = make_engine(args.engine_url, context_size=4096)
    rows = args.rows.split(",")
    api = DaemonApi(args.engine_url) if "api" in rows else None
    asks: dict[str, Callable[[Engine, dict[str, Any]], list[dict[str, Any]]]] = {
        "raw": ask_raw,
        "pocketmind": ask_pocketmind,
        "unguided": ask_unguided,
    }
    tuned: Engine | None = None
    if args.adapter is not None:
        tuned = make_engine(None, context_size=4096, adapter=args.adapter)
        asks["adapter"] = lambda _engine, entry: ask_pocketmind(tuned, entry)
        if "adapter" not in rows:
            rows.append("adapter")
    elif "adapter" in rows:
        parser.error("the adapter row needs --adapter FILE")
    if api is not None:
        asks["api"] = api
    print(
        f"# BFCL v4 AST, {platform.machine()} {platform.processor()}, model {engine.model_id}",
        flush=True,
    )
    spread = f"{args.limit} per category, spread" if args.limit else "all"
    print(f"# {spread}; rows: {', '.join(rows)}", flush=True)
    results: list[dict[str, Any]] = []
    table: dict[str, dict[str, tuple[int, int]]] = {row: {} for row in rows}
    for category in args.categories.split(","):
        cases = load(category, args.limit)
        for row in rows:
            right, started = 0, time.perf_counter()
            for entry, answer in cases:
                try:
                    output = asks[row](engine, entry)
                    error = None
                except (EngineError, ValueError) as exc:
                    output, error = [], str(exc)
                ok = score(check, category, entry, answer, output)
                right += ok
                results.append(
                    {"row": row, "id": entry["id"], "ok": ok, "output": output, "error": error}
                )
                if args.as_json:  # as it goes: a long run stopped early keeps what it scored
                    Path(args.as_json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
            table[row][category] = (right, len(cases))
            seconds = time.perf_counter() - started
            print(
                f"{row:11s} {category:18s} {right:4d}/{len(cases):<4d} "
                f"{right / max(1, len(cases)):.3f}  ({seconds / max(1, len(cases)):.1f} s/q)",
                flush=True,
            )
    print(
        "\nrow          " + "  ".join(f"{c:>17s}" for c in args.categories.split(",")) + "  mean",
        flush=True,
    )
    for row in rows:
        shares = [r / max(1, n) for r, n in table[row].values()]
        cells = "  ".join(f"{s:17.3f}" for s in shares)
        print(f"{row:11s}  {cells}  {sum(shares) / max(1, len(shares)):.3f}", flush=True)
    if args.as_json:
        Path(args.as_json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    engine.close()
    if tuned is not None:
        tuned.close()
    if api is not None:
        api.close()


if __name__ == "__main__":
    main()
