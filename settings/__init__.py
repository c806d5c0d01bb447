"""One settings schema for environment, file and command line.

Precedence, highest first: explicit overrides (the CLI), ``POCKETMIND_*`` environment
variables (nested fields with ``__``, e.g. ``POCKETMIND_RETRIEVAL__RRF_K``), then
``$POCKETMIND_HOME/config.toml``, then the defaults below. The environment is read once,
here, at the edge; everything else receives a ``Settings`` object.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from ..configfile import SettingsError as SettingsError
from ..configfile import describe, read_config
from .mcp import McpSettings
from .retrieval import (
    RetrievalSettings as RetrievalSettings,
)
from .sections import (
    ChatSettings as ChatSettings,
)
from .sections import (
    DaemonSettings as DaemonSettings,
)
from .sections import (
    EmbedderSettings as EmbedderSettings,
)
from .sections import (
    EngineSettings as EngineSettings,
)
from .sections import (
    ExportSettings as ExportSettings,
)
from .sections import (
    MemorySettings as MemorySettings,
)
from .sections import (
    PlansSettings as PlansSettings,
)
from .sections import (
    SensingSettings as SensingSettings,
)
from .sections import (
    SkillsSettings as SkillsSettings,
)
from .sections import (
    TrainSettings as TrainSettings,
)

HOME_ENV = "POCKETMIND_HOME"
CONFIG_NAME = "config.toml"

# The parsed config.toml while ``load_settings`` builds a Settings from it.
_config_values: ContextVar[dict[str, Any] | None] = ContextVar("pocketmind_config", default=None)


class Settings(BaseSettings):
    """Everything PocketMind can be told. ``home`` relocates all state."""

    model_config = SettingsConfigDict(
        env_prefix="POCKETMIND_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    home: Path = Field(
        default_factory=lambda: Path("~/.pocketmind").expanduser(),
        description="Directory holding all state (database, models, logs).",
    )
    timezone: str | None = Field(
        default=None,
        description="IANA zone for reading and showing times; default: the system's offset. "
        "Set it on Termux, where the local zone name is often unavailable.",
    )
    memory: MemorySettings = Field(default_factory=MemorySettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    sensing: SensingSettings = Field(default_factory=SensingSettings)
    skills: SkillsSettings = Field(default_factory=SkillsSettings)
    plans: PlansSettings = Field(default_factory=PlansSettings)
    export: ExportSettings = Field(default_factory=ExportSettings)
    train: TrainSettings = Field(default_factory=TrainSettings)
    mcp: McpSettings = Field(default_factory=McpSettings)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def db_path(self) -> Path:
        return self.home / "pocketmind.db"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def socket_path(self) -> Path:
        return self.run_dir / "pocketmind.sock"

    @property
    def log_path(self) -> Path:
        return self.home / "logs" / "pocketmind.log"

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG_NAME

    def tz(self) -> tzinfo:
        if self.timezone:
            return ZoneInfo(self.timezone)
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlFileSource(settings_cls))


class _TomlFileSource(PydanticBaseSettingsSource):
    """Values from ``$POCKETMIND_HOME/config.toml``, when ``load_settings`` names one."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ below returns the whole mapping at once

    def __call__(self) -> dict[str, Any]:
        return _config_values.get() or {}


def read_key_file(path: Path | None, field: str) -> str | None:
    """The secret in a key file setting (a server's API key), or None when unset."""
    if path is None:
        return None
    try:
        return path.expanduser().read_text().strip()
    except OSError as exc:
        raise SettingsError(f"{field}: cannot read {path}: {exc}") from exc


def resolve_home(home: Path | str | None = None) -> Path:
    if home is None:
        home = os.environ.get(HOME_ENV) or "~/.pocketmind"
    return Path(home).expanduser().resolve()


def load_settings(home: Path | str | None = None, **overrides: Any) -> Settings:
    """Load settings for ``home`` (default ``$POCKETMIND_HOME`` or ``~/.pocketmind``).

    Errors name the source of each bad value: the config file with its section and
    key, the environment variable, or the override; and what to do about it.
    """
    resolved = resolve_home(home)
    config = resolved / CONFIG_NAME
    values = read_config(config)
    token = _config_values.set(values)
    try:
        return Settings(home=resolved, **overrides)
    except ValidationError as exc:
        raise SettingsError(describe(exc, Settings, config, values, overrides)) from exc
    finally:
        _config_values.reset(token)
