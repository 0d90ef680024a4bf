"""Canonical JSON, exactly RFC 8785 both ways: every canonical line is accepted, every other refused.

Test data transcribed from github.com/cyberphone/json-canonicalization (commit
19d51d7fe467d4706a3ff08adf8a748f29fc21e0): the input/output pairs of testdata/input and testdata/output (copied
byte for byte into tests/data/jcs/),
and the ES6 number test of testdata/README.md — its deterministic sequence of IEEE 754 values (the
`staticU64s` table, then 2,000 values from 0x0010000000000000, then SHA-256-generated ones) and the
SHA-256 of the first 1,000 / 10,000 / 100,000 lines `hex,expected` it publishes.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.trace.canonical import canonical_bytes, exact_canonical, parse_canonical

JCS_DATA = Path(__file__).parent / "data" / "jcs"
CYBERPHONE_CASES = sorted(path.stem for path in (JCS_DATA / "input").glob("*.json"))
STATIC_U64S = [
    "0000000000000000",
    "8000000000000000",
    "0000000000000001",
    "8000000000000001",
    "c46696695dbd1cc3",
    "c43211ede4974a35",
    "c3fce97ca0f21056",
    "c3c7213080c1a6ac",
    "c39280f39a348556",
    "c35d9b1f5d20d557",
    "c327af4c4a80aaac",
    "c2f2f2a36ecd5556",
    "c2be51057e155558",
    "c28840d131aaaaac",
    "c253670dc1555557",
    "c21f0b4935555557",
    "c1e8d5d42aaaaaac",
    "c1b3de4355555556",
    "c17fca0555555556",
    "c1496e6aaaaaaaab",
    "c114585555555555",
    "c0e046aaaaaaaaab",
    "c0aa0aaaaaaaaaaa",
    "c074d55555555555",
    "c040aaaaaaaaaaab",
    "c00aaaaaaaaaaaab",
    "bfd5555555555555",
    "bfa1111111111111",
    "bf6b4e81b4e81b4f",
    "bf35d867c3ece2a5",
    "bf0179ec9cbd821e",
    "becbf647612f3696",
    "be965e9f80f29212",
    "be61e54c672874db",
    "be2ca213d840baf8",
    "bdf6e80fe033c8c6",
    "bdc2533fe68fd3d2",
    "bd8d51ffd74c861c",
    "bd5774ccac3d3817",
    "bd22c3d6f030f9ac",
    "bcee0624b3818f79",
    "bcb804ea293472c7",
    "bc833721ba905bd3",
    "bc4ebe9c5db3c61e",
    "bc18987d17c304e5",
    "bbe3ad30dfcf371d",
    "bbaf7b816618582f",
    "bb792f9ab81379bf",
    "bb442615600f9499",
    "bb101e77800c76e1",
    "bad9ca58cce0be35",
    "baa4a1e0a3e6fe90",
    "ba708180831f320d",
    "ba3a68cd9e985016",
    "446696695dbd1cc3",
    "443211ede4974a35",
    "43fce97ca0f21056",
    "43c7213080c1a6ac",
    "439280f39a348556",
    "435d9b1f5d20d557",
    "4327af4c4a80aaac",
    "42f2f2a36ecd5556",
    "42be51057e155558",
    "428840d131aaaaac",
    "4253670dc1555557",
    "421f0b4935555557",
    "41e8d5d42aaaaaac",
    "41b3de4355555556",
    "417fca0555555556",
    "41496e6aaaaaaaab",
    "4114585555555555",
    "40e046aaaaaaaaab",
    "40aa0aaaaaaaaaaa",
    "4074d55555555555",
    "4040aaaaaaaaaaab",
    "400aaaaaaaaaaaab",
    "3fd5555555555555",
    "3fa1111111111111",
    "3f6b4e81b4e81b4f",
    "3f35d867c3ece2a5",
    "3f0179ec9cbd821e",
    "3ecbf647612f3696",
    "3e965e9f80f29212",
    "3e61e54c672874db",
    "3e2ca213d840baf8",
    "3df6e80fe033c8c6",
    "3dc2533fe68fd3d2",
    "3d8d51ffd74c861c",
    "3d5774ccac3d3817",
    "3d22c3d6f030f9ac",
    "3cee0624b3818f79",
    "3cb804ea293472c7",
    "3c833721ba905bd3",
    "3c4ebe9c5db3c61e",
    "3c18987d17c304e5",
    "3be3ad30dfcf371d",
    "3baf7b816618582f",
    "3b792f9ab81379bf",
    "3b442615600f9499",
    "3b101e77800c76e1",
    "3ad9ca58cce0be35",
    "3aa4a1e0a3e6fe90",
    "3a708180831f320d",
    "3a3a68cd9e985016",
    "4024000000000000",
    "4014000000000000",
    "3fe0000000000000",
    "3fa999999999999a",
    "3f747ae147ae147b",
    "3f40624dd2f1a9fc",
    "3f0a36e2eb1c432d",
    "3ed4f8b588e368f1",
    "3ea0c6f7a0b5ed8d",
    "3e6ad7f29abcaf48",
    "3e35798ee2308c3a",
    "3ed539223589fa95",
    "3ed4ff26cd5a7781",
    "3ed4f95a762283ff",
    "3ed4f8c60703520c",
    "3ed4f8b72f19cd0d",
    "3ed4f8b5b31c0c8d",
    "3ed4f8b58d1c461a",
    "3ed4f8b5894f7f0e",
    "3ed4f8b588ee37f3",
    "3ed4f8b588e47da4",
    "3ed4f8b588e3849c",
    "3ed4f8b588e36bb5",
    "3ed4f8b588e36937",
    "3ed4f8b588e368f8",
    "3ed4f8b588e368f1",
    "3ff0000000000000",
    "bff0000000000000",
    "bfeffffffffffffa",
    "bfeffffffffffffb",
    "3feffffffffffffa",
    "3feffffffffffffb",
    "3feffffffffffffc",
    "3feffffffffffffe",
    "bfefffffffffffff",
    "bfefffffffffffff",
    "3fefffffffffffff",
    "3fefffffffffffff",
    "3fd3333333333332",
    "3fd3333333333333",
    "3fd3333333333334",
    "0010000000000000",
    "000ffffffffffffd",
    "000fffffffffffff",
    "7fefffffffffffff",
    "ffefffffffffffff",
    "4340000000000000",
    "c340000000000000",
    "4430000000000000",
    "44b52d02c7e14af5",
    "44b52d02c7e14af6",
    "44b52d02c7e14af7",
    "444b1ae4d6e2ef4e",
    "444b1ae4d6e2ef4f",
    "444b1ae4d6e2ef50",
    "3eb0c6f7a0b5ed8c",
    "3eb0c6f7a0b5ed8d",
    "41b3de4355555553",
    "41b3de4355555554",
    "41b3de4355555555",
    "41b3de4355555556",
    "41b3de4355555557",
    "becbf647612f3696",
    "43143ff3c1cb0959",
]
PUBLISHED_SHA256 = {
    1_000: "be18b62b6f69cdab33a7e0dae0d9cfa869fda80ddc712221570f9f40a5878687",
    10_000: "b9f7a8e75ef22a835685a52ccba7f7d6bdc99e34b010992cbc5864cd12be6892",
    100_000: "22776e6d4b49fa294a0d0f349268e5c28808fe7e0cb2bcbe28f63894e494d4c7",
}


def _ieee_values() -> Iterator[int]:
    """The test sequence of testdata/README.md, as raw 64-bit patterns."""
    yield from (int(h, 16) for h in STATIC_U64S)
    yield from (0x0010000000000000 + i for i in range(2000))
    block = bytes(32)
    while True:
        block = hashlib.sha256(block).digest()
        for (value,) in struct.iter_unpack("<d", block):
            if value != 0.0 and math.isfinite(value):
                yield struct.unpack("<Q", struct.pack("<d", value))[0]


def _double(bits: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", bits))[0])


@pytest.mark.parametrize("name", CYBERPHONE_CASES)
def test_cyberphone_inputs_canonicalise_to_their_outputs(name: str) -> None:
    source = (JCS_DATA / "input" / f"{name}.json").read_bytes()
    expected = (JCS_DATA / "output" / f"{name}.json").read_bytes()
    value = json.loads(source)
    assert canonical_bytes(value) == expected, name
    assert exact_canonical(expected), name
    if isinstance(value, dict):
        assert parse_canonical(expected) == (json.loads(expected), True), name
    assert not exact_canonical(source), name  # the pretty-printed input is not canonical


@pytest.mark.parametrize("lines", sorted(PUBLISHED_SHA256))
def test_es6_numbers_match_the_published_test_file(lines: int) -> None:
    """Each value of the sequence is written as the reference expects, and a record holding that
    spelling is accepted by the fast path and by the exact check alike."""
    digest = hashlib.sha256()
    values = _ieee_values()
    for _ in range(lines):
        bits = next(values)
        expected = canonical_bytes(_double(bits))
        digest.update(f"{bits:x},".encode() + expected + b"\n")
        line = b'{"n":' + expected + b"}"
        assert parse_canonical(line)[1], line
    assert digest.hexdigest() == PUBLISHED_SHA256[lines]


def test_the_issue_s_lines_are_judged_right_both_ways() -> None:
    canonical = [
        b'{"eps":0.00001,"n":100000000000000000}',  # an integral double beyond 2^53 next to a small one
        b'{"n":9007199254740992}',
        b'{"n":1e+21}',
        b'{"n":1e-7}',
        b'{"n":0.000001}',
        b'{"n":-1.5e-300}',
        b'{"\xe2\x82\xac":1,"\xf0\x9f\x98\x82":2,"\xef\xac\xb3":3}',  # UTF-16 order: U+20AC, U+1F602, U+FB33
        b'{"s":"\\u000f\\n\x7f\xe2\x80\xa8/"}',
    ]
    not_canonical = [
        b'{"duration_s":1.0}',
        b'{"n":1e-07}',
        b'{"n":1e-6}',
        b'{"n":-0.0}',
        b'{"n":-0}',
        b'{"n":1e21}',
        b'{"n":1E+21}',
        b'{"n":10000000000000000.0}',
        b'{"n":1e+16}',
        b'{"n":9007199254740993}',  # not a double: its double is ...992
        b'{"n":123456789012345678901234567890}',
        b'{"n":1e400}',
        b'{"n":NaN}',
        b'{"n":Infinity}',
        b'{"\xe2\x82\xac":1,"\xef\xac\xb3":3,"\xf0\x9f\x98\x82":2}',  # code-point order
        b'{"a":1,"a":1}',
        b'{"s":"\\ud800"}',
        b'{"s":"\\u000F"}',
        b'{"s":"\\/"}',
        b'{"s":"\\u0041"}',
        b'{"a":1, "b":2}',
        b'{"b":1,"a":2}',
    ]
    for line in canonical:
        assert parse_canonical(line)[1] and exact_canonical(line), line
    for line in not_canonical:
        assert not parse_canonical(line)[1] and not exact_canonical(line), line


@settings(deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_the_fast_path_agrees_with_the_exact_check_on_every_double(value: float) -> None:
    """orjson's spelling of any double, and JCS's, are judged the same by both paths."""
    for spelling in {orjson.dumps(value), canonical_bytes(value)}:
        line = b'{"n":' + spelling + b"}"
        assert parse_canonical(line)[1] == exact_canonical(line), line


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(deadline=None)
@given(JSON_VALUES)
def test_what_the_writer_writes_is_canonical(value: object) -> None:
    line = canonical_bytes({"v": value})
    assert parse_canonical(line)[1] and exact_canonical(line)


def test_numbers_beyond_doubles_are_recorded_as_strings() -> None:
    assert canonical_bytes({"big": 2**60, "nan": float("nan"), "inf": -math.inf}) == (
        b'{"big":"1152921504606846976","inf":"-inf","nan":"nan"}'
    )
    assert canonical_bytes({"n": 2**53 - 1}) == b'{"n":9007199254740991}'
