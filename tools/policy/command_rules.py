"""Command patterns a policy names (`pytest *`, `git push --force`) and the built-in deny and ask lists.

Two ways of matching, because allowing and refusing fail in opposite directions:

- An **allow** pattern must match the whole command, word for word (shell-style globs per word);
  a final `*` word matches any remaining words. `ls` allows `ls` only; `pytest *` allows any pytest run.
- A **deny** or **ask** pattern matches when the command name matches, every option it names is
  present in any order (`-rf` = `-fr` = `-r -f`; globs like `--force*` work), and its other words
  appear in the same order among the command's other words. `git push --force` catches
  `git push origin main --force`; `rm -r /` catches `rm -fr --no-preserve-root /`.

A word can be written with glob metacharacters escaped in brackets: `/[*]` is the literal `/*`.
Patterns are matched against the command as written and as normalised (`--force` as `-f`, `~` and
`$HOME` expanded), so a deny rule holds whichever way the command is spelled.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from tools.policy.command_line import Segment, command_name
from tools.policy.command_options import NO_SPEC, SPECS, long_option
from tools.policy.command_paths import Scope, expand


class PatternError(ValueError):
    """A pattern in a policy file cannot be read; the message quotes it."""


def _is_option(word: str) -> bool:
    return word.startswith("-") and word not in ("-", "--") and not word[1:2].isdigit()


def _short_letters(word: str) -> set[str]:
    """`-rf` -> {'-r', '-f'}; long options and words with `=` have none."""
    if not _is_option(word) or word.startswith("--") or "=" in word:
        return set()
    return {f"-{letter}" for letter in word[1:]}


@dataclass(frozen=True)
class CommandPattern:
    source: str
    words: tuple[str, ...]

    @classmethod
    def parse(cls, source: str) -> CommandPattern:
        try:
            words = tuple(shlex.split(source))
        except ValueError as error:
            raise PatternError(f"command pattern {source!r} cannot be split into words: {error}") from error
        if not words:
            raise PatternError("an empty command pattern matches nothing; remove it")
        return cls(source, words)

    def _name_matches(self, segment: Segment) -> bool:
        return bool(segment.words) and fnmatchcase(segment.name, command_name(self.words[0]))

    def matches_whole(self, segment: Segment) -> bool:
        """Allow semantics: word for word, a final `*` swallowing the rest."""
        if not self._name_matches(segment):
            return False
        pattern, words = self.words[1:], segment.words[1:]
        if pattern and pattern[-1] == "*":
            pattern = pattern[:-1]
            if len(words) < len(pattern):
                return False
            words = words[: len(pattern)]
        return len(pattern) == len(words) and all(fnmatchcase(w, p) for p, w in zip(pattern, words, strict=True))

    def matches_loosely(self, segment: Segment) -> bool:
        """Deny/ask semantics: named options present in any order, other words in order."""
        if self._matches_loosely(segment, self.words):
            return True
        if segment.scope is None:
            return False
        words = tuple(_expanded(w, segment.scope) for w in self.words)
        return self._matches_loosely(normalised(segment), words)

    def _matches_loosely(self, segment: Segment, pattern: tuple[str, ...]) -> bool:
        if not self._name_matches(segment):
            return False
        words = segment.words[1:]
        options = [w for w in words if _is_option(w)]
        letters = set().union(*(_short_letters(w) for w in options)) if options else set()
        others = [w for w in words if not _is_option(w)]
        for wanted in pattern[1:]:
            if not _is_option(wanted):
                continue
            if any(fnmatchcase(o, wanted) for o in options):
                continue
            short = _short_letters(wanted)
            if not short or not short <= letters:
                return False
        return _in_order([w for w in pattern[1:] if not _is_option(w)], others)


def _expanded(word: str, scope: Scope) -> str:
    """`~` and `$HOME` in a word (of a pattern or a command) replaced by what they name."""
    if not word.startswith(("~", "$")):
        return word
    value = expand(word, scope)
    return value.rstrip("/") or "/" if value is not None else word


def normalised(segment: Segment) -> Segment:
    """The segment with one spelling per option (`git clean --force` -> `-f`) and `~`, `$HOME` expanded."""
    if not segment.words or segment.scope is None:
        return segment
    rest = list(segment.words[1:])
    key = segment.name
    if key == "git":
        index = 0
        while index < len(rest) and rest[index].startswith("-"):
            index += 2 if rest[index] in ("-C", "-c") else 1
        key = f"git {rest[index]}" if index < len(rest) else key
    spec = SPECS.get(key, NO_SPEC)
    words = [segment.words[0]]
    for word in rest:
        if word.startswith("--") and len(word) > 2:
            name, equals, value = word[2:].partition("=")
            canonical = long_option(name, spec)
            words.append(canonical + (f"={value}" if equals and canonical.startswith("--") else ""))
        elif _is_option(word) and "=" not in word and not any(f"-{c}" in spec.takes_value for c in word[1:]):
            words.append("-" + "".join(spec.aliases.get(f"-{c}", f"-{c}").replace("-", "").replace(" ", "")
                                       for c in word[1:]))  # fmt: skip
        else:
            words.append(_expanded(word, segment.scope))
    return replace(segment, words=tuple(words))


def _in_order(wanted: list[str], words: list[str]) -> bool:
    position = 0
    for pattern in wanted:
        while position < len(words) and not fnmatchcase(words[position], pattern):
            position += 1
        if position == len(words):
            return False
        position += 1
    return True


def parse_patterns(sources: list[str]) -> list[CommandPattern]:
    return [CommandPattern.parse(s) for s in sources]


_PRECIOUS_TARGETS = (
    "/", "/[*]", "~", "~/", "~/[*]", "$HOME", "$HOME/", "$HOME/[*]", "/home", "/etc", "/usr", "/var",
    ".git", ".git/", "./.git", "./.git/", "*/.git", ".git/*",
)  # fmt: skip
_DISKS = ("sd*", "hd*", "vd*", "xvd*", "nvme*", "mmcblk*", "disk*", "md*", "mapper/*", "dm-*")


def _default_deny() -> list[str]:
    rules = [f"rm {flag} {target}" for flag in ("-r", "-R", "--recursive") for target in _PRECIOUS_TARGETS]
    rules += [
        "rm --no-preserve-root",
        "chmod -R * /",
        "chown -R * /",
        "mkfs*",
        "mke2fs",
        "wipefs",
        "shred /dev/*",
        "fdisk",
        "sfdisk",
        "parted",
        "shutdown",
        "reboot",
        "halt",
        "poweroff",
        "git push --force*",
        "git push -f",
        "git push +*",
        "git push --mirror",
        "git push --delete",
    ]
    rules += [f"dd of=/dev/{disk}" for disk in _DISKS]
    rules += [f"> /dev/{disk}" for disk in _DISKS]
    rules += ["> .git/*", "> ./.git/*", "> */.git/*"]
    return rules


DEFAULT_DENY: tuple[str, ...] = tuple(_default_deny())
"""Refused whatever the approval mode; a user can add to this list, not remove from it."""

DEFAULT_ASK: tuple[str, ...] = (
    "git push",
    "sudo",
    "doas",
    "su",
    "chmod -R",
    "chown -R",
    "npm publish",
    "twine upload",
    "docker system prune",
)
"""Asked about in `ask` and `auto-edit` modes (they reach beyond the workspace). Commands that destroy
work in the workspace (`git reset --hard`, `git clean`, …) are judged by tools/policy/command_git.py and
asked about even under auto-all."""
