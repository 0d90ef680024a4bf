"""Reading the params of custom `flambeau/*` requests with errors that name the field to fix.

Kept free of pydantic on purpose: the server must answer `initialize` without importing anything heavy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pygls.exceptions import JsonRpcInvalidParams

T = TypeVar("T", bound=str)


def invalid(message: str) -> JsonRpcInvalidParams:
    return JsonRpcInvalidParams(message)


class Params:
    """The params object of one request; each accessor raises `JsonRpcInvalidParams` on a wrong value."""

    def __init__(self, method: str, raw: Any) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise invalid(f"{method}: params must be a JSON object, got {_kind(raw)}")
        self.method = method
        self.raw: dict[str, Any] = raw

    def text(self, key: str, *, allow_empty: bool = False) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str):
            raise invalid(f"{self.method}: '{key}' is required and must be a string, got {_kind(value)}")
        if not allow_empty and not value.strip():
            raise invalid(f"{self.method}: '{key}' must not be empty")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise invalid(f"{self.method}: '{key}' must be a non-empty string when given, got {_kind(value)}")
        return value

    def choice(self, key: str, options: Sequence[T], default: T | None = None) -> T | None:
        value = self.raw.get(key)
        if value is None:
            return default
        for option in options:
            if value == option:
                return option
        raise invalid(f"{self.method}: '{key}' must be one of {', '.join(map(repr, options))}, got {value!r}")

    def required_flag(self, key: str) -> bool:
        value = self.raw.get(key)
        if not isinstance(value, bool):
            raise invalid(f"{self.method}: '{key}' is required and must be true or false, got {_kind(value)}")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.raw.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise invalid(f"{self.method}: '{key}' must be true or false, got {_kind(value)}")
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
