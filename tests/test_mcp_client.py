"""PocketMind as an MCP client: a small server's tools through the gate."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from daemon_helpers import DaemonProcess
from patience import patience

from pocketmind.bridge.client import McpServers
from pocketmind.settings.mcp import McpServerConfig
from pocketmind.tools.base import Effect, ToolError
from pocketmind.tools.gate import Gate

SERVER = Path(__file__).with_name("mcp_notes_server.py")


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[McpServers, Path]]:
    notes = tmp_path / "notes.txt"
    configs = {
        "notes": McpServerConfig(
            command=[sys.executable, str(SERVER), str(notes)], timeout_s=min(patience(20), 600)
        ),
        "broken": McpServerConfig(command=[str(tmp_path / "no-such-server")], timeout_s=5),
    }
    running = McpServers(configs, max_result_bytes=64 * 1024)
    running.start()
    yield running, notes
    running.stop()


def test_write_tool_waits_for_the_users_yes(servers: tuple[McpServers, Path]) -> None:
    running, notes = servers
    tools = {t.name: t for t in running.tools()}
    assert tools["notes__count_notes"].effect is Effect.READ  # readOnlyHint
    assert tools["notes__add_note"].effect is Effect.EXTERNAL  # no hint: it acts
    gate = Gate()
    record, result = gate.submit(tools["notes__add_note"], {"text": "buy milk"}, origin="user")
    assert result is None and record.status == "pending"
    assert not notes.exists()  # nothing happened before the yes
    done, result = gate.confirm(record.id, tools)
    assert done.status == "done" and "buy milk" in result.text
    assert notes.read_text() == "buy milk\n"
    _, counted = gate.submit(tools["notes__count_notes"], {}, origin="user")
    assert counted is not None and counted.text == "1"


def test_their_tools_join_the_agents_registry_behind_the_gate(
    servers: tuple[McpServers, Path],
) -> None:
    from pocketmind.engine import FakeEngine, Message
    from pocketmind.tools.agent import Agent

    running, notes = servers
    call = json.dumps({"name": "notes__add_note", "arguments": {"text": "buy milk"}})
    agent = Agent(FakeEngine([call]), [], Gate(), read_commands=False, mode="native")
    agent.add_tools(running.tools())
    assert "notes__add_note" in agent.tools and "notes__count_notes" in agent.tools
    outcome = agent.run([Message("user", "note that I need milk")])
    assert outcome.pending is not None and not notes.exists()  # waits for the yes
    agent.confirm(outcome.pending.id)
    assert notes.read_text() == "buy milk\n"


def test_a_broken_server_is_failed_and_the_others_work(servers: tuple[McpServers, Path]) -> None:
    running, _ = servers
    status = running.status()
    assert status["broken"]["state"] == "failed" and status["broken"]["error"]
    assert status["notes"]["state"] == "running"
    assert not any(t.name.startswith("broken__") for t in running.tools())


def test_oversized_and_bad_answers_are_clear_errors(servers: tuple[McpServers, Path]) -> None:
    running, _ = servers
    tools = {t.name: t for t in running.tools()}
    with pytest.raises(ToolError, match=r"over mcp\.max_result_bytes"):
        tools["notes__flood"].execute(tools["notes__flood"].parse({}))
    with pytest.raises(ToolError, match="add_note"):
        tools["notes__add_note"].execute(tools["notes__add_note"].parse({"wrong": 1}))
    assert running.status()["notes"]["state"] == "running"


def test_a_hanging_call_marks_the_server_failed(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    # long enough to start under load, far shorter than the hang
    wait = min(patience(4), 300)
    config = McpServerConfig(command=[sys.executable, str(SERVER), str(notes)], timeout_s=wait)
    running = McpServers({"slow": config}, max_result_bytes=64 * 1024)
    running.start()
    try:
        tools = {t.name: t for t in running.tools()}
        with pytest.raises(ToolError, match="did not answer in time"):
            tools["slow__hang"].execute(tools["slow__hang"].parse({}))
        assert running.status()["slow"]["state"] == "failed"
    finally:
        running.stop()


def test_the_daemon_reports_each_server_and_keeps_serving(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    servers = {
        "notes": {"command": [sys.executable, str(SERVER), str(notes)]},
        "broken": {"command": [str(tmp_path / "no-such-server")], "timeout_s": 5},
    }
    env = {"POCKETMIND_MCP__SERVERS": json.dumps(servers)}
    process = DaemonProcess(tmp_path / "home", env=env).start()
    try:
        with process.client() as client:
            status = client.request("GET", "/status")
            assert status["mcp"]["notes"]["state"] == "running"
            assert "notes__add_note" in status["mcp"]["notes"]["tools"]
            assert status["mcp"]["broken"]["state"] == "failed"
            assert status["components"]["mcp"]["state"] == "running"
            assert client.request("GET", "/health") == {"ok": True}
    finally:
        assert process.stop() == 0
