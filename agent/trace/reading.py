"""Reading a trace file: whole lines as records, and the torn tail a killed writer may leave."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class TraceError(Exception):
    """The path is not a readable trace; the message says what to pass instead."""


@dataclass
class RawTrace:
    path: Path
    lines: list[bytes]
    """Every whole (newline-terminated) line, without its newline."""
    torn_tail: bytes = b""
    """Bytes after the last newline: a record whose write was interrupted."""
    records: list[dict[str, Any] | None] = field(default_factory=list)
    """Each line parsed, or None where it is not a JSON object."""

    @property
    def header(self) -> dict[str, Any]:
        first = self.records[0] if self.records else None
        return first if first is not None and first.get("kind") == "trace_header" else {}

    def valid_records(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r is not None]


def parse_line(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def read_trace(path: Path, parse: bool = True) -> RawTrace:
    """The lines of a trace file; `parse=False` leaves `records` empty for a caller that parses itself."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise TraceError(f"no trace at {path}; 'flambeau trace list' shows the traces of a workspace") from error
    except IsADirectoryError as error:
        raise TraceError(f"{path} is a folder; pass a trace file (.flambeau/traces/<task id>.jsonl)") from error
    lines = data.split(b"\n")
    torn = lines.pop()  # empty when the file ends with a newline
    records = [parse_line(line) for line in lines] if parse else []
    return RawTrace(path=path, lines=lines, torn_tail=torn, records=records)
