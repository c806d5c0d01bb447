"""doctor's "Display over other apps" check, with fake getprop, cmd and am on PATH that
print what a phone prints."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pocketmind.doctor import Finding, diagnose
from pocketmind.doctor.overlay import CHECK, check_overlay
from pocketmind.settings import load_settings


def _tool(bin_dir: Path, name: str, body: str) -> None:
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)


@pytest.fixture
def phone_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _tool(bin_dir, "am", "exit 0")
    _tool(bin_dir, "getprop", "echo 34")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(sys, "platform", "android")
    monkeypatch.delenv("TERMUX_APP__PACKAGE_NAME", raising=False)
    return bin_dir


def _finding(pocketmind_home: Path) -> Finding:
    (finding,) = list(check_overlay(load_settings()))
    return finding


def test_granted_is_ok(phone_bin: Path, pocketmind_home: Path) -> None:
    _tool(phone_bin, "cmd", 'echo "SYSTEM_ALERT_WINDOW: allow; time=+2d3h ago"')
    finding = _finding(pocketmind_home)
    assert finding.status == "ok" and finding.check == CHECK


@pytest.mark.parametrize(
    ("said", "mode"),
    [("SYSTEM_ALERT_WINDOW: deny", "deny"), ("No operations.", "default")],
)
def test_not_granted_says_how_to_grant_it(
    phone_bin: Path, pocketmind_home: Path, said: str, mode: str
) -> None:
    (calls := phone_bin / "calls").touch()
    _tool(phone_bin, "cmd", f'echo "$*" >> {calls}; echo "{said}"')
    finding = _finding(pocketmind_home)
    assert finding.status == "fix"
    assert f"not granted ({mode})" in finding.detail
    assert "Display over other apps" in finding.fix
    assert "MANAGE_OVERLAY_PERMISSION -d package:com.termux" in finding.fix
    assert calls.read_text() == "appops get com.termux SYSTEM_ALERT_WINDOW\n"


def test_when_termux_may_not_ask_it_says_it_cannot_tell(
    phone_bin: Path, pocketmind_home: Path
) -> None:
    _tool(
        phone_bin, "cmd", 'echo "java.lang.SecurityException: uid 10123 not allowed" >&2; exit 255'
    )
    finding = _finding(pocketmind_home)
    assert finding.status == "warn"
    assert "cannot tell from Termux (cmd exited with 255: java.lang.SecurityException" in (
        finding.detail
    )


def test_before_android_10_it_is_not_needed(phone_bin: Path, pocketmind_home: Path) -> None:
    _tool(phone_bin, "getprop", "echo 28")
    _tool(phone_bin, "cmd", "exit 99")
    assert _finding(pocketmind_home).status == "ok"


def test_without_am_and_off_the_phone(
    phone_bin: Path, pocketmind_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (phone_bin / "am").unlink()
    finding = _finding(pocketmind_home)
    assert finding.status == "fix" and finding.check == "am"
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("TERMUX_VERSION", raising=False)
    assert list(check_overlay(load_settings())) == []
    assert CHECK not in {f.check for f in diagnose(load_settings())}
