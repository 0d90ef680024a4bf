"""Canonical JSON (RFC 8785, JCS): one byte string per value, so a record hashes the same everywhere.

Writing: `canonical_bytes` makes a value JSON-safe first (`jsonable`): integers beyond ±(2^53 - 1)
are recorded as their decimal string, and non-finite floats as the strings "nan", "inf", "-inf" —
JCS numbers are IEEE 754 doubles, which cannot hold either exactly.

Checking: `parse_canonical` decides whether a line is the one RFC 8785 serialisation of the value it
holds, reading every number as the double JCS says it is (so `100000000000000000` is canonical and
`1.0`, `1e-07`, `-0.0` or `9007199254740993` are not), keys in UTF-16 code-unit order.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import re
from collections.abc import Mapping
from enum import Enum
from pathlib import PurePath
from typing import Any

import orjson
import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1
_FAST_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
# Where orjson's serialisation can differ from RFC 8785 without the line differing: an integral float
# ("1.0", "-0.0", "1e+16"; JCS writes integers below 1e21 with neither fraction nor exponent), a float
# in [1e-6, 1e-5) (orjson "1e-6", JCS "0.000001"), or a character outside the BMP (code-point and
# UTF-16 key order differ there). A string that merely contains these bytes only costs the exact check.
_EXPONENT = re.compile(rb"e(?:\+|-6)")
_INTEGRAL_FLOAT = re.compile(rb"\.0[,\]}]")
_NON_BMP = re.compile(rb"[\xf0-\xf4]")


def _needs_exact_check(line: bytes) -> bool:
    """Each pattern starts with a literal byte, which the regex engine finds fastest (faster than an
    alternation, or than `in` with a short needle)."""
    if _EXPONENT.search(line) or _INTEGRAL_FLOAT.search(line):
        return True
    return not line.isascii() and _NON_BMP.search(line) is not None


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


def parse_canonical(line: bytes) -> tuple[dict[str, Any] | None, bool]:
    """(the JSON object on `line` or None, whether `line` is its RFC 8785 form).

    Fast path: orjson parses, and re-serialises with sorted keys; that equals RFC 8785 except for
    integral floats, integers beyond 2^53 (refused by OPT_STRICT_INTEGER) and non-BMP key order, so
    a line showing none of them is decided there. Anything else goes through `exact_canonical`."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        record = None
    if record is not None and not isinstance(record, dict):
        return None, False
    if record is not None and not _needs_exact_check(line):
        try:
            if orjson.dumps(record, option=_FAST_OPTIONS) == line:
                return record, True
        except orjson.JSONEncodeError:
            pass
    exact = exact_canonical(line)
    if record is None:
        record = _lenient_object(line)
    return record, exact


class _NotCanonical(ValueError):
    pass


def _number(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _NotCanonical(f"{token} is beyond the range of a double")
    return value


def _constant(token: str) -> Any:
    raise _NotCanonical(f"{token} is not JSON")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _NotCanonical("duplicate key")
    return result


def exact_canonical(line: bytes) -> bool:
    """Whether `line` is the RFC 8785 serialisation of the I-JSON value it holds: every number read
    as a double, no duplicate keys, valid Unicode (the reference check behind `parse_canonical`)."""
    try:
        value = json.loads(
            line,
            parse_float=_number,
            parse_int=_number,
            parse_constant=_constant,
            object_pairs_hook=_unique_pairs,
        )
        return bytes(rfc8785.dumps(value)) == line
    except (ValueError, TypeError, UnicodeError, RecursionError, rfc8785.CanonicalizationError):
        return False


def _lenient_object(line: bytes) -> dict[str, Any] | None:
    """The object on a line orjson refused (a lone surrogate, NaN): kept readable for the report."""
    try:
        value = json.loads(line)
    except (ValueError, UnicodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
