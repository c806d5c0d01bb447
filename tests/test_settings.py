from pathlib import Path

import pytest
from click.testing import CliRunner

from pocketmind.cli import main
from pocketmind.settings import SettingsError, load_settings, resolve_home


def test_home_comes_from_the_environment(pocketmind_home: Path) -> None:
    settings = load_settings()
    assert settings.home == pocketmind_home.resolve()
    assert settings.db_path == pocketmind_home.resolve() / "pocketmind.db"


def test_explicit_home_wins_over_the_environment(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "elsewhere").home == (tmp_path / "elsewhere").resolve()


def test_default_home_is_in_the_user_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POCKETMIND_HOME")
    assert resolve_home() == Path("~/.pocketmind").expanduser().resolve()


def test_precedence_overrides_then_env_then_file(
    pocketmind_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pocketmind_home.mkdir(parents=True)
    (pocketmind_home / "config.toml").write_text(
        "timezone = 'Europe/Berlin'\n[retrieval]\nk = 7\ncandidates = 11\n"
    )
    assert load_settings().retrieval.k == 7
    assert load_settings().timezone == "Europe/Berlin"
    monkeypatch.setenv("POCKETMIND_RETRIEVAL__K", "9")
    settings = load_settings()
    assert settings.retrieval.k == 9
    assert settings.retrieval.candidates == 11  # the file's other fields still apply
    assert load_settings(retrieval={"k": 3}).retrieval.k == 3


def test_bad_toml_names_the_file(pocketmind_home: Path) -> None:
    pocketmind_home.mkdir(parents=True)
    (pocketmind_home / "config.toml").write_text("[retrieval\nk = 1\n")
    with pytest.raises(SettingsError, match=r"config\.toml"):
        load_settings()


def test_bad_value_names_the_field_and_file(pocketmind_home: Path) -> None:
    pocketmind_home.mkdir(parents=True)
    (pocketmind_home / "config.toml").write_text("[retrieval]\nk = 0\n")
    with pytest.raises(SettingsError, match=r"config\.toml: \[retrieval\] k: "):
        load_settings()


def test_unknown_field_is_refused(pocketmind_home: Path) -> None:
    pocketmind_home.mkdir(parents=True)
    (pocketmind_home / "config.toml").write_text("colour = 'blue'\n")
    with pytest.raises(SettingsError, match="colour"):
        load_settings()


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(SettingsError, match="Mars/Olympus"):
        load_settings(timezone="Mars/Olympus")
    assert str(load_settings(timezone="Asia/Tokyo").tz()) == "Asia/Tokyo"


def _config(home: Path, text: str | bytes) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[memory]\nfoo = 1\n", r"config\.toml: \[memory\] foo: unknown key"),
        (
            "[retrieval]\nfussion = 'rrf'\n",
            r"\[retrieval\] fussion: unknown key \(did you mean 'fusion'\?\)",
        ),
        ("[skils]\nquiet_hours = '22:00-07:00'\n", r"\[skils\]: unknown section .*'skills'"),
        ("[engine]\nthread = 4\n", r"\[engine\] thread: unknown key .*'threads'"),
        ("[skills]\nquiet_hours = '25:00-99:99'\n", r"\[skills\] quiet_hours: '25:00' is not a"),
        ("[skills]\nbriefing_time = '07:61'\n", r"\[skills\] briefing_time: '07:61' is not"),
    ],
)
def test_config_errors_name_the_file_the_section_and_the_key(
    pocketmind_home: Path, text: str, message: str
) -> None:
    path = _config(pocketmind_home, text)
    with pytest.raises(SettingsError, match=message) as caught:
        load_settings()
    assert str(caught.value).startswith(f"invalid settings: {path}: ")
    assert str(caught.value).endswith("(fix or remove it in the file)")


def test_unknown_keys_in_the_environment_name_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POCKETMIND_MEMORY__DEDUP_TRESHOLD", "0.9")
    with pytest.raises(SettingsError, match=r"POCKETMIND_MEMORY__DEDUP_TRESHOLD: unknown key"):
        load_settings()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)), r"config\.toml: not a text file \(byte 128 is not UTF-8\)"),
        (b"timezone = \x00\n", r"config\.toml: not valid TOML"),
    ],
)
def test_a_binary_config_is_one_clear_line(
    pocketmind_home: Path, content: bytes, message: str
) -> None:
    _config(pocketmind_home, content)
    with pytest.raises(SettingsError, match=message):
        load_settings()


@pytest.mark.parametrize("command", [["memory", "stats"], ["up"], ["start"], ["doctor"]])
@pytest.mark.parametrize(
    "text", [bytes(range(256)), b"[skills]\nquiet_hours = '25:00-99:99'\n", b"[memory]\nfoo = 1\n"]
)
def test_the_cli_and_the_daemon_stop_with_one_line_not_a_traceback(
    pocketmind_home: Path, command: list[str], text: bytes
) -> None:
    path = _config(pocketmind_home, text)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert str(path) in lines[0]
