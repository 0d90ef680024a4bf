"""What the words of a command refer to: `~`, `$HOME`, `${HOME}` and known variables expanded, paths made
absolute against the working directory the line has reached (after its `cd`s), globs read as everything
they could match.

The policy judges targets, not spellings: `rm -rf ${HOME}`, `rm -rf ~/`, `cd ~ && rm -rf .` and
`rm -rf /home/me` are one target. A word that depends on something the text does not say (`$1`, an
unset variable, `${X:-…}`, `cd "$DIR"`) expands to None: unknown, and the judge asks about it.
"""

from __future__ import annotations

import os
import posixpath
import pwd
import re
from dataclasses import dataclass, replace

VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|(\{[^}]*\}|[0-9@*#?$!-]))")
GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Scope:
    """Where a command of the line runs: the home folder, the working directory, the line's variables."""

    home: str
    cwd: str | None
    """None once a `cd` went somewhere the text does not say."""
    variables: tuple[tuple[str, str | None], ...] = ()
    """`NAME=value` assignments seen earlier in the line (None: assigned something unknown)."""

    @classmethod
    def start(cls, cwd: str, home: str | None = None) -> Scope:
        return cls(home=posixpath.normpath(home or os.path.expanduser("~")), cwd=posixpath.normpath(cwd))

    def variable(self, name: str) -> str | None:
        for known, value in reversed(self.variables):
            if known == name:
                return value
        if name == "HOME":
            return self.home
        if name == "PWD":
            return self.cwd
        return os.environ.get(name)

    def assign(self, name: str, value: str | None) -> Scope:
        return replace(self, variables=(*self.variables, (name, value)))

    def moved_to(self, directory: str | None) -> Scope:
        return replace(self, cwd=directory)


def expand(word: str, scope: Scope) -> str | None:
    """The word with `~`, `~user` and `$NAME` / `${NAME}` replaced; None when any part is unknown."""
    if word.startswith("~"):
        head, slash, rest = word.partition("/")
        home = _home_of(head[1:], scope)
        if home is None:
            return None
        word = home + slash + rest if rest or slash else home
    unknown = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1) or match.group(2)
        value = scope.variable(name) if name else None
        if value is None:
            unknown = True
            return ""
        return value

    expanded = VARIABLE.sub(substitute, word)
    return None if unknown else expanded


def _home_of(user: str, scope: Scope) -> str | None:
    if not user:
        return scope.home
    if user in ("+", "-"):
        return scope.cwd
    try:
        return pwd.getpwnam(user).pw_dir
    except KeyError:
        return None


def absolute(word: str, scope: Scope) -> str | None:
    """The path a word names, absolute and normalised (`..` folded); None when it cannot be known."""
    path = expand(word, scope)
    if path is None:
        return None
    if not path.startswith("/"):
        if scope.cwd is None:
            return None
        path = posixpath.join(scope.cwd, path)
    normal = posixpath.normpath(path)
    return "/" + normal.lstrip("/")


def is_glob(path: str) -> bool:
    return any(c in GLOB_CHARACTERS for c in path)


def glob_base(path: str) -> str:
    """The folder a glob lists: its path up to the first component with a wildcard (`/[a-z]*` -> `/`)."""
    parts = path.split("/")
    for index, part in enumerate(parts):
        if is_glob(part):
            return "/".join(parts[:index]) or "/"
    return path


def inside(path: str, folder: str) -> bool:
    """`path` is `folder` or below it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def ancestors(path: str) -> list[str]:
    """`/a/b/c` -> [`/a/b`, `/a`, `/`]."""
    found = []
    while path != "/":
        path = posixpath.dirname(path)
        found.append(path)
    return found
