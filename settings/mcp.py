"""The ``[mcp]`` table of config.toml: what PocketMind serves over MCP, and which MCP
servers it uses. Unknown keys are refused, as everywhere in the config."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator


class McpServerConfig(BaseModel):
    """One server PocketMind uses: a command it starts (stdio), or an HTTP URL."""

    model_config = ConfigDict(extra="forbid")

    command: list[str] | None = Field(
        default=None, min_length=1, description="argv of a stdio server, e.g. ['uvx', 'x']"
    )
    env: dict[str, str] = Field(default_factory=dict, description="extra environment")
    url: str | None = Field(
        default=None, pattern=r"^https?://", description="a streamable HTTP server's URL"
    )
    key_file: Path | None = Field(
        default=None, description="file holding the bearer token for url (kept out of config)"
    )
    timeout_s: float = Field(
        default=20, gt=0, le=600, description="a start or a call slower than this fails"
    )

    @model_validator(mode="after")
    def _one_way(self) -> McpServerConfig:
        if (self.command is None) == (self.url is None):
            raise ValueError("give exactly one of command (stdio) or url (HTTP)")
        if self.key_file is not None and self.url is None:
            raise ValueError("key_file goes with url")
        return self


class McpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow_actions: bool = Field(
        default=False,
        description="Offer the phone's actions (text, call, alarm...) to MCP clients; each "
        "still waits for the user's yes on the phone.",
    )
    max_result_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        le=16 * 1024 * 1024,
        description="A tool result bigger than this is refused with an error, both ways.",
    )
    servers: dict[str, McpServerConfig] = Field(
        default_factory=dict, description="MCP servers whose tools PocketMind may use"
    )
