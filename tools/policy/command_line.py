"""Taking a shell command line apart: every simple command it would run, and what cannot be known.

The policy must judge `ls && rm -rf /` by its second half, `echo $(curl x)` by what runs inside the
substitution, and `bash -c "…"` by the string it runs. bashlex (a maintained port of bash's own
grammar) gives the tree; this module walks it into flat `Segment`s. Anything the walk cannot see
through (`eval`, `$(…)`, a shell reading a script from a pipe, a parse failure) is reported as
*opaque* so the policy asks a person; the crude fallback split still lets deny rules fire.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

MAX_NESTING = 4
"""How deep `bash -c "bash -c '…'"` strings are parsed before giving up (and asking)."""

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "ash", "busybox"})
INLINE_CODE_FLAGS = {
    "python": "-c",
    "python3": "-c",
    "perl": "-e",
    "ruby": "-e",
    "node": "-e",
    "php": "-r",
}
DOWNLOADERS = frozenset({"curl", "wget", "fetch", "aria2c"})
OPAQUE_COMMANDS = {
    "eval": "eval runs a string built at run time",
    "source": "source runs another script's commands in this shell",
    ".": "`.` runs another script's commands in this shell",
    "exec": "exec replaces the shell with another program",
    "xargs": "xargs builds commands from its input",
    "watch": "watch runs its command through a shell",
    "trap": "trap runs a string later",
    "alias": "alias changes what later words mean",
}
PRECIOUS_DIRECTORIES = frozenset({"", "~", "$HOME", "/home", "/etc", "/usr", "/var", "/boot", "/bin", "/lib", "/root"})
FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
# Commands that run the rest of their arguments as another command; options that take a value.
WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir"}),
    "nohup": frozenset(),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "-p", "-P", "-u"}),
    "time": frozenset({"-f", "-o"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "exec": frozenset({"-a"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "chrt": frozenset(),
    "taskset": frozenset(),
    "xargs": frozenset({"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s"}),
    "unbuffer": frozenset(),
}
OUTPUT_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", ">&"})
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
FALLBACK_SEPARATORS = re.compile(r"\|\||&&|[;&|()\n`]|\$\(")


@dataclass(frozen=True)
class Segment:
    """One simple command the line would run: its words, the command name first."""

    words: tuple[str, ...]
    piped_from: tuple[str, ...] = ()
    """Command names earlier in the same pipeline (what feeds this command's input)."""

    @property
    def name(self) -> str:
        return command_name(self.words[0]) if self.words else ""

    def __str__(self) -> str:
        if self.words and self.words[0] == ">":
            return f"> {shlex.join(self.words[1:])}"
        return shlex.join(self.words)


@dataclass
class CommandLine:
    """What a command line would run, as far as it can be known without running it."""

    text: str
    segments: list[Segment] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)
    """Why parts of the line cannot be judged from the text (each makes the policy ask)."""
    dangers: list[str] = field(default_factory=list)
    """Shapes that are refused whatever the rules say (a download piped into a shell, a fork bomb)."""
    directory: str | None = None
    """A precious directory a `cd` in the line moved to (while walking)."""


def command_name(word: str) -> str:
    """`/usr/bin/rm` and `\\rm` are both `rm`."""
    return posixpath.basename(word.lstrip("\\")) or word


def parse_command_line(text: str) -> CommandLine:
    line = CommandLine(text=text)
    _parse_into(line, text, depth=0)
    return line


def _parse_into(line: CommandLine, text: str, depth: int) -> None:
    if depth > MAX_NESTING:
        line.opaque.append(f"command strings nested more than {MAX_NESTING} deep")
        return
    if "\x00" in text:
        line.opaque.append("the command line contains a NUL byte")
    import bashlex

    try:
        trees = bashlex.parse(text)
    except Exception as error:  # bashlex raises many kinds (ParsingError, NotImplementedError, ...)
        line.opaque.append(f"could not parse the command line ({type(error).__name__}: {error})")
        _fallback_segments(line, text)
        return
    walker = _Walker(line, depth)
    for tree in trees:
        walker.visit(tree)


def _fallback_segments(line: CommandLine, text: str) -> None:
    """A crude split on separators, so deny rules still see `rm -rf /` in a line bashlex rejects."""
    for piece in FALLBACK_SEPARATORS.split(text):
        try:
            words = shlex.split(piece, comments=True)
        except ValueError:
            words = piece.split()
        words = [w for w in words if w not in ("{", "}", "!", "then", "do", "else", "fi", "done")]
        if words:
            _add_command(line, words, (), depth=MAX_NESTING)


class _Walker:
    def __init__(self, line: CommandLine, depth: int) -> None:
        self.line = line
        self.depth = depth
        self.functions: list[str] = []

    def visit(self, node: Any, piped_from: tuple[str, ...] = ()) -> None:
        kind = node.kind
        if kind == "pipeline":
            self._visit_pipeline(node)
        elif kind in ("list", "if", "for", "while", "until"):
            for part in node.parts:
                self.visit(part)
        elif kind == "compound":
            for part in node.list:
                self.visit(part)
            for redirect in node.redirects:
                self._visit_redirect(redirect)
        elif kind == "function":
            self._visit_function(node)
        elif kind == "command":
            self._visit_command(node, piped_from)
        elif kind in ("word", "assignment"):
            self._visit_word(node)
        elif kind == "redirect":
            self._visit_redirect(node)
        elif kind in ("commandsubstitution", "processsubstitution"):
            what = "$(…) or backticks" if kind == "commandsubstitution" else "<(…) or >(…)"
            self.line.opaque.append(f"{what} runs a command whose output becomes part of the line")
            self.visit(node.command)
        elif kind == "parameter" and ("$(" in node.value or "`" in node.value):
            self.line.opaque.append("a parameter expansion runs a command")
        # operator, pipe, reservedword, tilde, heredoc: nothing runs

    def _visit_pipeline(self, node: Any) -> None:
        upstream: list[str] = []
        for part in node.parts:
            if part.kind == "pipe":
                continue
            self.visit(part, tuple(upstream))
            if part.kind == "command":
                words = [p.word for p in part.parts if p.kind == "word"]
                if words:
                    upstream.append(command_name(words[0]))

    def _visit_function(self, node: Any) -> None:
        name = node.name.word
        self.functions.append(name)
        self.visit(node.body)
        self.functions.pop()

    def _visit_command(self, node: Any, piped_from: tuple[str, ...]) -> None:
        words: list[str] = []
        for part in node.parts:
            if part.kind == "word":
                if not words and any(p.kind == "parameter" for p in getattr(part, "parts", [])):
                    self.line.opaque.append(f"the command name {part.word!r} comes from a variable")
                words.append(part.word)
            self.visit(part)
        if not words:
            return
        if self.functions and command_name(words[0]) in self.functions:
            self.line.dangers.append(f"function {words[0]!r} calls itself (the shape of a fork bomb)")
        _add_command(self.line, words, piped_from, self.depth)

    def _visit_word(self, node: Any) -> None:
        for part in getattr(node, "parts", []):
            self.visit(part)

    def _visit_redirect(self, node: Any) -> None:
        target = node.output
        if hasattr(target, "kind"):
            self.visit(target)
            if node.type in OUTPUT_REDIRECTS:
                self.line.segments.append(Segment((">", target.word)))


def _add_command(line: CommandLine, words: list[str], piped_from: tuple[str, ...], depth: int) -> None:
    """Record `words` and, through wrappers like `sudo` or `env`, the command they run."""
    while words:
        line.segments.append(Segment(tuple(words), piped_from))
        name = command_name(words[0])
        _note_opaque(line, name, words, piped_from, depth)
        _note_cd_then_rm(line, name, words)
        if name not in WRAPPERS:
            return
        words = _unwrap(name, words[1:])


def _note_cd_then_rm(line: CommandLine, name: str, words: list[str]) -> None:
    """`cd / && rm -rf *` deletes the system through a relative path no deny pattern can see."""
    if name == "cd":
        target = next((w for w in words[1:] if not w.startswith("-")), "~")
        line.directory = target if target.rstrip("/") in PRECIOUS_DIRECTORIES or target == "/" else None
    elif (
        name == "rm"
        and line.directory is not None
        and any(
            w in ("-r", "-R", "--recursive") or _short_cluster_has(w, "r") or _short_cluster_has(w, "R")
            for w in words[1:]
        )
    ):
        line.dangers.append(f"a recursive rm after `cd {line.directory}`")


def _unwrap(wrapper: str, rest: list[str]) -> list[str]:
    takes_value = WRAPPERS[wrapper]
    index = 0
    while index < len(rest):
        word = rest[index]
        if word == "--":
            index += 1
            break
        if word in takes_value:
            index += 2
            continue
        if word.startswith("-") or (wrapper == "env" and ASSIGNMENT.match(word)):
            index += 1
            continue
        break
    if wrapper == "timeout" and index < len(rest):
        index += 1  # the duration
    return rest[index:]


def _note_opaque(line: CommandLine, name: str, words: list[str], piped_from: tuple[str, ...], depth: int) -> None:
    args = words[1:]
    if name in OPAQUE_COMMANDS:
        line.opaque.append(OPAQUE_COMMANDS[name])
        if name == "eval":
            _parse_into(line, " ".join(args), depth + 1)
    if name in SHELLS:
        _note_shell(line, name, args, piped_from, depth)
    flag = INLINE_CODE_FLAGS.get(re.sub(r"[0-9.]+$", "", name) if name.startswith("python") else name)
    if flag is not None and any(a == flag or (a.startswith("-") and not a.startswith("--") and flag[1] in a)
                                for a in args[:3]):  # fmt: skip
        line.opaque.append(f"{name} {flag} runs inline code")
    if name == "find" and FIND_EXEC.intersection(args):
        line.opaque.append("find -exec runs a command for each file")


def _note_shell(line: CommandLine, name: str, args: list[str], piped_from: tuple[str, ...], depth: int) -> None:
    script_index = next((i for i, a in enumerate(args) if a == "-c" or _short_cluster_has(a, "c")), None)
    if script_index is not None:
        line.opaque.append(f"{name} -c runs a string as a script")
        string = next((a for a in args[script_index + 1 :] if not a.startswith("-")), "")
        if string:
            _parse_into(line, string, depth + 1)
        return
    positional = [a for a in args if not a.startswith("-") and not a.startswith("+")]
    if not positional or "-s" in args:
        line.opaque.append(f"{name} reads its script from its input")
        downloaders = DOWNLOADERS.intersection(piped_from)
        if downloaders:
            line.dangers.append(f"a download ({', '.join(sorted(downloaders))}) is piped into {name}")


def _short_cluster_has(word: str, letter: str) -> bool:
    return word.startswith("-") and not word.startswith("--") and letter in word[1:]
