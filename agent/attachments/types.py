"""What a mention or an image attaches, and what the editor sends for the editor-only mentions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.errors import ConfigError
from agent.events import AttachedKind


class MentionError(ConfigError):
    """A mention could not be resolved (or an image cannot be sent); the task does not start without it."""


@dataclass
class Attachment:
    mention: str
    """As written (`@app.py`), or the image's name."""
    kind: AttachedKind
    label: str
    text: str = ""
    """What the model is given (for an image: nothing; its bytes are in `image`)."""
    path: str = ""
    tool: str = ""
    """The tool whose output this is, with `arguments`: the cloud egress rules see it as that tool's result."""
    arguments: dict[str, Any] = field(default_factory=dict)
    image: bytes | None = None
    mime: str = ""


@dataclass(frozen=True)
class EditorContext:
    """What an editor sends with a task for `@problems`, `@selection` and `@terminal` (None: not sent)."""

    problems: list[dict[str, Any]] | None = None
    """`{path, line, column?, severity, message, source?}`, one per diagnostic."""
    selection: dict[str, Any] | None = None
    """`{path, startLine, endLine, text}`."""
    terminal: dict[str, Any] | None = None
    """`{commandLine, output, exitCode?}`: the active terminal's last command."""

    @classmethod
    def from_wire(cls, raw: Any) -> EditorContext:
        """From the `context` of `flambeau/startTask`; anything of the wrong shape counts as not sent."""
        if not isinstance(raw, dict):
            return cls()
        problems = raw.get("problems")
        selection, terminal = raw.get("selection"), raw.get("terminal")
        return cls(
            problems=[p for p in problems if isinstance(p, dict)] if isinstance(problems, list) else None,
            selection=selection if isinstance(selection, dict) and isinstance(selection.get("text"), str) else None,
            terminal=terminal if isinstance(terminal, dict) and isinstance(terminal.get("output"), str) else None,
        )
