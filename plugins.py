"""One registry mechanism for the plugin seams (sensors, skills).

Built-in plugins register through the same ``register`` a third-party one would use;
they are imported on first lookup, so the registry is complete whenever it is read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Generic, TypeVar

F = TypeVar("F", bound=Callable[..., object])


class Registry(Generic[F]):
    def __init__(self, *builtin_modules: str) -> None:
        self._factories: dict[str, F] = {}
        self._builtin = builtin_modules

    def register(self, name: str) -> Callable[[F], F]:
        def add(factory: F) -> F:
            self._factories[name] = factory
            return factory

        return add

    def unregister(self, name: str) -> None:
        self._factories.pop(name, None)

    def all(self) -> dict[str, F]:
        for module in self._builtin:
            importlib.import_module(module)
        return dict(self._factories)
