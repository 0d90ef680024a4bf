"""A command's arguments as options and operands, one spelling per option.

`git clean --force -d -x`, `git clean -fdx` and `git clean --forc -xd` are one command: long options
(and their unambiguous abbreviations, as getopt_long and git accept them) become their short letter,
clusters split into letters, and the operands are what is left. Options that take a value take it
(`cp -t DIR`, `--target-directory=DIR`, `-tDIR`), so the value is never mistaken for an operand.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OptionSpec:
    long: dict[str, str] = field(default_factory=dict)
    """Long name -> its short letter (or `--name` when it has none)."""
    takes_value: frozenset[str] = frozenset()
    """Canonical options (`-t`, `--chmod`) followed by a value."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Short letters that mean the same as others (`-R` -> `-r` for rm)."""


def _spec(long: dict[str, str] | None = None, value: str = "", aliases: dict[str, str] | None = None) -> OptionSpec:
    return OptionSpec(long or {}, frozenset(value.split()), aliases or {})


_RECURSIVE = {"recursive": "-r", "force": "-f"}
# fmt: off
SPECS: dict[str, OptionSpec] = {
    "rm": _spec({**_RECURSIVE, "dir": "-d", "interactive": "-i", "verbose": "-v"}, aliases={"-R": "-r"}),
    "cp": _spec({**_RECURSIVE, "target-directory": "-t", "suffix": "-S", "archive": "-a"}, "-t -S",
                aliases={"-R": "-r", "-a": "-r"}),
    "mv": _spec({"force": "-f", "target-directory": "-t", "suffix": "-S"}, "-t -S"),
    "ln": _spec({"force": "-f", "symbolic": "-s", "target-directory": "-t", "suffix": "-S"}, "-t -S"),
    "install": _spec({"target-directory": "-t", "mode": "-m", "owner": "-o", "group": "-g"}, "-t -m -o -g -S"),
    "chmod": _spec({"recursive": "-R", "reference": "--reference"}, "--reference"),
    "chown": _spec({"recursive": "-R", "reference": "--reference", "from": "--from"}, "--reference --from"),
    "chgrp": _spec({"recursive": "-R", "reference": "--reference"}, "--reference"),
    "tee": _spec({"append": "-a"}),
    "touch": _spec({"reference": "-r", "date": "-d"}, "-r -d -t"),
    "mkdir": _spec({"parents": "-p", "mode": "-m"}, "-m"),
    "truncate": _spec({"size": "-s", "reference": "-r"}, "-s -r"),
    "sed": _spec({"in-place": "-i", "expression": "-e", "file": "-f"}, "-e -f -l"),
    "shred": _spec({"remove": "-u", "iterations": "-n"}, "-n -s"),
    "rsync": _spec({"delete": "--delete", "recursive": "-r", "archive": "-a"}, "-e --exclude --include"),
    "curl": _spec({"output": "-o", "remote-name": "-O"}, "-o -d -H -X -u -A -e --data --header"),
    "wget": _spec({"output-document": "-O", "directory-prefix": "-P"}, "-O -P"),
    "git": _spec({"git-dir": "--git-dir", "work-tree": "--work-tree", "namespace": "--namespace"},
                 "-C -c --git-dir --work-tree --namespace --exec-path --config-env"),
    "git clean": _spec({"force": "-f", "dry-run": "-n", "quiet": "-q", "interactive": "-i", "exclude": "-e"}, "-e"),
    "git reset": _spec({"hard": "--hard", "soft": "--soft", "mixed": "--mixed", "merge": "--merge", "keep": "--keep"}),
    "git checkout": _spec({"force": "-f", "patch": "-p"}, "-b -B --orphan"),
    "git switch": _spec({"force": "-f", "discard-changes": "--discard-changes", "create": "-c"}, "-c -C --orphan"),
    "git restore": _spec({"staged": "-S", "worktree": "-W", "source": "-s"}, "-s"),
    "git branch": _spec({"delete": "-d", "force": "-f", "move": "-m"}, aliases={"-D": "-d -f", "-M": "-m -f"}),
    "git push": _spec({"force": "-f", "delete": "-d", "mirror": "--mirror", "force-with-lease": "--force-with-lease",
                       "force-if-includes": "--force-if-includes", "push-option": "-o"}, "-o --push-option"),
    "git config": _spec({"file": "-f", "global": "--global", "system": "--system", "local": "--local",
                         "worktree": "--worktree", "add": "--add", "replace-all": "--replace-all"},
                        "-f --type"),
    "git stash": _spec(),
    "git rm": _spec({"force": "-f", "recursive": "-r", "cached": "--cached", "dry-run": "-n"}),
    "git worktree": _spec({"force": "-f"}),
    "python": _spec(value="-W -X -m -c"),
    "perl": _spec(value="-I -M -m -e -E"),
    "node": _spec({"require": "-r", "eval": "-e", "print": "-p"}, "-r -e -p"),
}
# fmt: on
NO_SPEC = OptionSpec()


@dataclass
class Arguments:
    options: set[str] = field(default_factory=set)
    """Canonical options present (`-r`, `--hard`, `--force-with-lease`)."""
    values: dict[str, list[str]] = field(default_factory=dict)
    operands: list[str] = field(default_factory=list)
    after_double_dash: bool = False
    """A `--` ended the options (for git checkout: what follows are paths)."""

    def has(self, *options: str) -> bool:
        return any(o in self.options for o in options)


def long_option(name: str, spec: OptionSpec) -> str:
    """The canonical spelling of `--name` (or of an unambiguous abbreviation of it)."""
    if name in spec.long:
        return spec.long[name]
    candidates = sorted((full for full in spec.long if full.startswith(name)), key=len)
    # An ambiguous abbreviation fails to run; reading it as the shortest option errs on the safe side.
    return spec.long[candidates[0]] if candidates else f"--{name}"


def _canonical_short(letter: str, spec: OptionSpec) -> list[str]:
    option = f"-{letter}"
    return spec.aliases.get(option, option).split()


def parse_arguments(words: list[str] | tuple[str, ...], command: str, *, stop_at_operand: bool = False) -> Arguments:
    """Split `words` (the arguments, without the command name) by the option table of `command`
    (`rm`, `git clean`, …); `stop_at_operand`: everything from the first operand on is an operand."""
    spec = SPECS.get(command, NO_SPEC)
    args = Arguments()
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if args.after_double_dash or word == "-" or not word.startswith("-"):
            args.operands.append(word)
            if stop_at_operand:
                args.operands += list(words[index:])
                return args
            continue
        if word == "--":
            args.after_double_dash = True
            continue
        if word.startswith("--"):
            name, equals, value = word[2:].partition("=")
            option = long_option(name, spec)
            args.options.add(option)
            if option in spec.takes_value:
                if not equals and index < len(words):
                    value = words[index]
                    index += 1
                args.values.setdefault(option, []).append(value)
            continue
        letters = word[1:]
        for position, letter in enumerate(letters):
            for option in _canonical_short(letter, spec):
                args.options.add(option)
            if f"-{letter}" in spec.takes_value:
                value = letters[position + 1 :]
                if not value and index < len(words):
                    value = words[index]
                    index += 1
                args.values.setdefault(f"-{letter}", []).append(value)
                break
    return args
