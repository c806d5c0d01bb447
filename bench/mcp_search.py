"""memory_search over MCP against the same search over the REST API: same daemon, same
store, same queries, in one run, turns interleaved so neither side gets a warmer cache.

(Not ``bench/mcp.py``: run as a script, its folder comes first on sys.path and a file
named mcp.py hides the SDK it imports.)

Three ways to ask a running daemon:
- REST: ``GET /memories?q=…`` on the Unix socket (httpx, one kept-alive connection);
- MCP over streamable HTTP: the SDK's client on the same socket, ``/mcp``, one session;
- MCP over stdio: the SDK's client starting ``pocketmind mcp``, which relays to the
  daemon (what an MCP desktop client does).

    python bench/mcp_search.py [--memories 2000] [--queries 200]
                               [--embedder sentence-transformers|fake]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import httpx
import httpx2
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from daemon_helpers import DaemonProcess

from memory import machine

TOPICS = ["dentist", "parcel", "Maya", "Lisbon", "train", "rent", "gym", "passport",
          "birthday", "keys", "boiler", "flight", "coffee", "invoice", "bike"]  # fmt: skip


def corpus(n: int) -> list[dict[str, str]]:
    return [
        {
            "text": f"Note {i}: the {TOPICS[i % 15]} thing, item {i % 97}, room {i % 13}",
            "at": f"2026-0{1 + i % 9}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
        }
        for i in range(n)
    ]


def queries(n: int) -> list[str]:
    return [f"what about the {TOPICS[i % len(TOPICS)]} {i % 7}?" for i in range(n)]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(process: DaemonProcess, asked: list[str], env: dict[str, str]) -> None:
    socket = str(process.settings.socket_path)
    rest = httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(uds=socket), base_url="http://pocketmind"
    )
    http = httpx2.AsyncClient(transport=httpx2.AsyncHTTPTransport(uds=socket))
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "pocketmind.cli", "mcp"], env=env
    )
    with open(os.devnull, "w") as errlog:
        async with (
            rest,
            http,
            streamable_http_client("http://pocketmind/mcp", http_client=http) as (r1, w1),
            ClientSession(r1, w1) as over_http,
            stdio_client(params, errlog=errlog) as (r2, w2),
            ClientSession(r2, w2) as over_stdio,
        ):
            await over_http.initialize()
            await over_stdio.initialize()

            async def via_rest(q: str) -> int:
                response = await rest.get("/memories", params={"q": q, "k": 10})
                return len(response.json())

            def via(session: ClientSession) -> Callable[[str], Awaitable[int]]:
                async def call(q: str) -> int:
                    result = await session.call_tool("memory_search", {"query": q, "k": 10})
                    assert not result.is_error, result.content
                    return len((result.structured_content or {})["results"])

                return call

            ways = {"REST GET /memories": via_rest, "MCP streamable HTTP": via(over_http),
                    "MCP stdio (pocketmind mcp)": via(over_stdio)}  # fmt: skip
            for call in ways.values():  # warm up each path once
                await call("warm up")
            times: dict[str, list[float]] = {name: [] for name in ways}
            for q in asked:
                counts = set()
                for name, call in ways.items():
                    start = time.perf_counter()
                    counts.add(await call(q))
                    times[name].append((time.perf_counter() - start) * 1000)
                assert len(counts) == 1, f"the ways disagree on {q!r}: {counts}"
    print(f"{'way':28s} {'p50 ms':>8s} {'p95 ms':>8s} {'mean ms':>8s}")
    for name, ms in times.items():
        print(f"{name:28s} {pct(ms, 50):8.2f} {pct(ms, 95):8.2f} {statistics.mean(ms):8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--embedder", default="sentence-transformers")
    args = parser.parse_args()
    env = {"POCKETMIND_ENGINE__BACKEND": "fake", "POCKETMIND_EMBEDDER__BACKEND": args.embedder}
    print(f"machine: {machine()}")
    print(f"{args.memories} memories, {args.queries} queries (k=10), embedder {args.embedder}")
    with tempfile.TemporaryDirectory() as home:
        process = DaemonProcess(Path(home) / "home", env).start(timeout=300)
        try:
            with process.client() as client:
                items = corpus(args.memories)
                for i in range(0, len(items), 100):
                    for item in items[i : i + 100]:
                        client.request("POST", "/memories", json=item)
            anyio.run(run, process, queries(args.queries), process.env)
        finally:
            process.stop()


if __name__ == "__main__":
    main()
