"""Finding @-mentions in a message: `@path/file`, `@folder/`, `@file:10-20`, `@git-changes`, `@problems`,
`@selection`, `@terminal`, and `@"a path with spaces"`.

A word after `@` is a mention when it is one of the keywords, looks like a path (has a `/` or a `.`), or
names something in the workspace; anything else (`@property`, `user@example.com`) stays text, as does
anything inside backticks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

KEYWORDS = ("git-changes", "problems", "selection", "terminal")
EDITOR_KEYWORDS = ("problems", "selection", "terminal")
"""Mentions only an editor can resolve (it sends what they stand for with the task)."""

MENTION = re.compile(r'(?:(?<=^)|(?<=[\s(\[{,;]))@(?:"([^"\n]+)"|([^\s`"]+))')
CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.DOTALL)
TRAILING = ".,;:!?)]}'"
LINES = re.compile(r"^(.+?):(\d+)(?:-(\d+))?$")


@dataclass(frozen=True)
class Mention:
    written: str
    """As the user wrote it, `@` included."""
    target: str
    """A keyword, or a workspace path (a folder ends with `/`)."""
    start_line: int | None = None
    end_line: int | None = None

    @property
    def is_keyword(self) -> bool:
        return self.target in KEYWORDS


def find_mentions(text: str, exists: Callable[[str], bool] = lambda _path: False) -> list[Mention]:
    """Each distinct mention in `text`, in order; `exists(path)` says whether a workspace path exists."""
    code = [match.span() for match in CODE.finditer(text)]
    found: dict[str, Mention] = {}
    for match in MENTION.finditer(text):
        if any(start <= match.start() < end for start, end in code):
            continue
        quoted, bare = match.group(1), match.group(2)
        target = quoted if quoted is not None else bare.rstrip(TRAILING) if not bare.endswith("/") else bare
        if not target:
            continue
        written = f'@"{quoted}"' if quoted is not None else "@" + target
        mention = _mention(written, target)
        if mention is None or not (quoted or mention.is_keyword or _looks_like_path(mention.target) or exists(target)):
            continue
        found.setdefault(written, mention)
    return list(found.values())


def has_mentions(text: str) -> bool:
    """Cheap first test: could `text` hold a mention at all?"""
    return "@" in text


def _mention(written: str, target: str) -> Mention | None:
    if target in KEYWORDS:
        return Mention(written, target)
    lines = LINES.match(target)
    if lines is None:
        return Mention(written, target)
    start = int(lines.group(2))
    end = int(lines.group(3)) if lines.group(3) else start
    return Mention(written, lines.group(1), start, end)


def _looks_like_path(target: str) -> bool:
    return "/" in target or "." in target.lstrip(".")
