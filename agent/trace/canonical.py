"""Canonical JSON (RFC 8785, JCS): one byte string per value, so a record hashes the same everywhere."""

from __future__ import annotations

import base64
import dataclasses
import json
import math
from collections.abc import Mapping
from enum import Enum
from pathlib import PurePath
from typing import Any

import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1


def jsonable(value: Any) -> Any:
    """`value` as plain JSON types that JCS accepts: big ints and non-finite floats become strings,
    bytes become base64, dataclasses and enums become their fields and values, anything else its `str`."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, PurePath):
        return value.as_posix()
    return str(value)


def canonical_bytes(value: Any) -> bytes:
    """The RFC 8785 serialisation of `value` (made JSON-safe first)."""
    return bytes(rfc8785.dumps(jsonable(value)))


def plain_canonical_bytes(value: Any) -> bytes:
    """RFC 8785 of a value that is already plain JSON (as parsed from a record): no conversion pass."""
    return bytes(rfc8785.dumps(value))


def is_canonical(record: Any, line: bytes) -> bool:
    """Whether `line` is the one serialisation of `record`. A fast comparison with sorted, compact
    `json.dumps` accepts most lines (it agrees with RFC 8785 except for some float spellings and
    non-BMP key order); anything else is decided by a full RFC 8785 serialisation."""
    fast = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if fast.encode("utf-8") == line:
        return True
    try:
        return plain_canonical_bytes(record) == line
    except (TypeError, ValueError, rfc8785.CanonicalizationError):
        return False
