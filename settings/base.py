"""What every table of config.toml shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Section(BaseModel):
    """A table of config.toml. An unknown key is refused with its name: a typo must not
    silently leave the default in place."""

    model_config = ConfigDict(extra="forbid")
