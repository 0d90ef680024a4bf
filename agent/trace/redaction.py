"""Secrets never enter a trace: known values (keyring, environment) and token shapes become a marker."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from tools.workspace.secrets import MIN_SECRET_LENGTH, REDACTED, redact_text, secret_values_from_env


class Redactor:
    def __init__(self, secret_values: Iterable[str] = ()) -> None:
        self.values = frozenset(v for v in secret_values if len(v) >= MIN_SECRET_LENGTH)

    @classmethod
    def from_environment(cls, extra: Iterable[str] = ()) -> Redactor:
        """Values from keyring (every Flambeau entry) and secret-looking environment variables, plus `extra`."""
        from agent.secret_store import all_secret_values

        return cls(set(extra) | secret_values_from_env(os.environ) | all_secret_values())

    def text(self, text: str) -> str:
        return redact_text(text, self.values)

    def value(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string (keys included) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def data(self, data: bytes) -> tuple[bytes, bool]:
        """Redacted bytes and whether anything changed; text as UTF-8, other bytes by known values only."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            out = data
            for secret in sorted(self.values, key=len, reverse=True):
                out = out.replace(secret.encode("utf-8"), REDACTED.encode("ascii"))
            return out, out != data
        cleaned = self.text(text)
        return (cleaned.encode("utf-8"), True) if cleaned != text else (data, False)
