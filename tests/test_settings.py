from pathlib import Path

import pytest

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
    with pytest.raises(SettingsError, match=r"config\.toml.*retrieval\.k"):
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
