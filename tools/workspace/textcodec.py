"""Turning file bytes into text and back without changing anything the edit did not touch.

A file keeps its encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, or a single-byte legacy encoding
read as Latin-1 so every byte round-trips), its line-ending style and its final newline.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from tools.base import ToolError

BINARY_SNIFF_BYTES = 8192

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    """Codec used for the body (after the BOM)."""
    bom: bytes = b""

    @property
    def newline(self) -> str:
        """The file's dominant line ending: CRLF when most lines end with it, else LF."""
        crlf = self.text.count("\r\n")
        lf_only = self.text.count("\n") - crlf
        return "\r\n" if crlf > lf_only else "\n"

    def encode(self, text: str) -> bytes:
        """`text` in this file's encoding, BOM included; a clear error when a character cannot be represented."""
        try:
            return self.bom + text.encode(self.encoding)
        except UnicodeEncodeError as error:
            bad = text[error.start : error.end]
            raise ToolError(
                f"the new text contains {bad!r}, which the file's encoding ({self.encoding}) cannot represent; "
                "use characters that exist in that encoding (or an escape sequence of the language)"
            ) from error


def bom_encoding(data: bytes) -> tuple[bytes, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return bom, encoding
    return None


def is_binary(data: bytes) -> bool:
    """Binary: a NUL byte in the first 8 KB of a file that does not start with a UTF-16 BOM."""
    found = bom_encoding(data)
    if found is not None and found[1].startswith("utf-16"):
        return False
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


def decode(data: bytes) -> DecodedText:
    """Decode file bytes; never fails (undecodable bytes fall back to Latin-1, which round-trips)."""
    found = bom_encoding(data)
    if found is not None:
        bom, encoding = found
        try:
            return DecodedText(data[len(bom) :].decode(encoding), encoding, bom)
        except UnicodeDecodeError:
            pass
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return DecodedText(data.decode("latin-1"), "latin-1")


def to_newline(text: str, newline: str) -> str:
    """`text` with every line ending (LF or CRLF) written as `newline`."""
    unified = text.replace("\r\n", "\n")
    return unified if newline == "\n" else unified.replace("\n", newline)


def with_final_newline_of(original: str, edited: str, newline: str) -> str:
    """Keep the original's final-newline state: present stays present, absent stays absent."""
    if not edited:
        return edited
    had = original.endswith("\n")
    has = edited.endswith("\n")
    if had and not has:
        return edited + newline
    if not had and has and original:
        return edited[:-2] if edited.endswith("\r\n") else edited[:-1]
    return edited
