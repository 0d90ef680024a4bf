"""Taking a shell command line apart: every simple command it would run, where, and what cannot be known.

The policy must judge `ls && rm -rf /` by its second half, `echo $(curl x)` by what runs inside the
substitution, `bash -c "…"` by the string it runs, `cd .git && echo x > hooks/pre-commit` by the folder
the `cd` reached, and `find ~ -delete` by what find deletes. bashlex (a maintained port of bash's own
grammar) gives the tree; this module walks it into flat `Segment`s, each with the `Scope` it runs in
(working directory, variables; see tools/policy/command_paths.py), and looks inside wrappers, `find`,
`xargs`, heredocs and script files (tools/policy/command_unwrap.py). Anything the walk cannot see through
(`eval`, `$(…)`, a shell or interpreter reading its program from a pipe, inline code, a parse failure)
is reported as *opaque* so the policy asks a person; the crude fallback split still lets deny rules fire.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from tools.policy.command_paths import Scope, absolute, expand
from tools.policy.command_unwrap import (
    AWKS,
    DOWNLOADERS,
    INLINE_CODE_FLAGS,
    INTERPRETERS,
    OPAQUE_COMMANDS,
    RUNS_COMMANDS,
    SHELLS,
    look_inside,
    read_script,
    script_of,
)

MAX_NESTING = 4
"""How deep `bash -c "bash -c '…'"` strings (and scripts running scripts) are parsed before asking."""

OUTPUT_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", ">&"})
INPUT_REDIRECTS = frozenset({"<", "<<", "<<<", "<<-", "<&", "<>"})
ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
DECLARATIONS = frozenset({"export", "declare", "typeset", "local", "readonly"})
FALLBACK_SEPARATORS = re.compile(r"\|\||&&|[;&|()\n`]|\$\(")
MAX_LOOP_VALUES = 16


@dataclass(frozen=True)
class Segment:
    """One simple command the line would run: its words, the command name first."""

    words: tuple[str, ...]
    piped_from: tuple[str, ...] = ()
    """Command names earlier in the same pipeline (what feeds this command's input)."""
    scope: Scope | None = None
    """Where it runs (working directory, variables); None only for segments built by hand."""
    origin: str = ""
    """What runs it when another command does (`sudo`, `find -exec`, `xargs`, a script's path)."""
    recursive_operands: bool = False
    """Each operand stands for everything below it (`find ~ -exec rm {} +`)."""
    unseen_operands: bool = False
    """More operands arrive at run time that the line does not show (`… | xargs rm`)."""

    @property
    def name(self) -> str:
        return command_name(self.words[0]) if self.words else ""

    def __str__(self) -> str:
        if self.words and self.words[0] == ">":
            return f"> {shlex.join(self.words[1:])}"
        text = shlex.join(self.words)
        return f"{text} (run by {self.origin})" if self.origin else text


@dataclass
class CommandLine:
    """What a command line would run, as far as it can be known without running it."""

    text: str
    segments: list[Segment] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)
    """Why parts of the line cannot be judged from the text (each makes the policy ask)."""
    dangers: list[str] = field(default_factory=list)
    """Shapes that are refused whatever the rules say (a download piped into a shell, a fork bomb)."""
    scope: Scope = field(default_factory=lambda: Scope.start(os.getcwd()))
    """Where the walk has got to (the working directory after the `cd`s so far)."""


def command_name(word: str) -> str:
    """`/usr/bin/rm` and `\\rm` are both `rm`."""
    return posixpath.basename(word.lstrip("\\")) or word


def _family(name: str) -> str:
    """`python3.12` -> `python`, `perl5` -> `perl`."""
    return re.sub(r"[0-9.]+$", "", name) or name


def parse_command_line(text: str, cwd: str | None = None, home: str | None = None) -> CommandLine:
    """The line as it would run in `cwd` (default: this process's) with `home` as `~`."""
    line = CommandLine(text=text, scope=Scope.start(cwd or os.getcwd(), home))
    _parse_into(line, text, depth=0)
    return line


def _parse_into(line: CommandLine, text: str, depth: int, scope: Scope | None = None) -> None:
    """Walk `text`; a nested string (`bash -c`, a script) runs in `scope` and its `cd`s do not leak out."""
    if depth > MAX_NESTING:
        line.opaque.append(f"command strings nested more than {MAX_NESTING} deep")
        return
    if "\x00" in text:
        line.opaque.append("the command line contains a NUL byte")
    import bashlex

    outer = line.scope
    if scope is not None:
        line.scope = scope
    try:
        trees = bashlex.parse(text)
    except Exception as error:  # bashlex raises many kinds (ParsingError, NotImplementedError, ...)
        line.opaque.append(f"could not parse the command line ({type(error).__name__}: {error})")
        _fallback_segments(line, text)
    else:
        walker = _Walker(line, depth)
        for tree in trees:
            walker.visit(tree)
    if scope is not None:
        line.scope = outer


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
        elif kind in ("list", "if", "while", "until"):
            for part in node.parts:
                self.visit(part)
        elif kind == "for":
            self._visit_for(node)
        elif kind == "compound":
            self._visit_compound(node)
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

    def _visit_compound(self, node: Any) -> None:
        subshell = bool(node.list) and getattr(node.list[0], "word", "") == "("
        before = self.line.scope
        for part in node.list:
            self.visit(part)
        if subshell:
            self.line.scope = before  # `(cd x; …)` moves only the subshell
        for redirect in node.redirects:
            self._visit_redirect(redirect)

    def _visit_for(self, node: Any) -> None:
        """`for d in / /etc; do rm -rf $d; done` is judged once per value (unknown past a few)."""
        parts = list(node.parts)
        words = [p for p in parts if p.kind == "word"]
        bodies = [p for p in parts if p.kind not in ("word", "reservedword")]
        if not words:
            return
        variable, values = words[0].word, [w.word for w in words[1:]]
        if not any(getattr(p, "word", "") == "in" for p in parts):
            values = []
        outer = self.line.scope
        choices: list[str | None] = [expand(v, outer) for v in values] if len(values) <= MAX_LOOP_VALUES else []
        for value in choices or [None]:
            self.line.scope = outer.assign(variable, value)
            for body in bodies:
                self.visit(body)
        self.line.scope = outer

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
        heredoc: str | None = None
        stdin_fed = bool(piped_from)
        assignments: list[str] = []
        for part in node.parts:
            if part.kind == "word":
                if not words and any(p.kind == "parameter" for p in getattr(part, "parts", [])):
                    self.line.opaque.append(f"the command name {part.word!r} comes from a variable")
                words.append(part.word)
            elif part.kind == "assignment" and not words:
                assignments.append(part.word)
            elif part.kind == "redirect" and part.type in INPUT_REDIRECTS:
                stdin_fed = True
                if getattr(part, "heredoc", None) is not None:
                    heredoc = _heredoc_text(part.heredoc.value)
            self.visit(part)
        if not words:
            for assignment in assignments:
                _assign(self.line, assignment)
            return
        if self.functions and command_name(words[0]) in self.functions:
            self.line.dangers.append(f"function {words[0]!r} calls itself (the shape of a fork bomb)")
        _add_command(self.line, words, piped_from, self.depth, heredoc=heredoc, stdin_fed=stdin_fed)

    def _visit_word(self, node: Any) -> None:
        for part in getattr(node, "parts", []):
            self.visit(part)

    def _visit_redirect(self, node: Any) -> None:
        target = node.output
        if hasattr(target, "kind"):
            self.visit(target)
            if node.type in OUTPUT_REDIRECTS:
                self.line.segments.append(Segment((">", target.word), scope=self.line.scope))


def _heredoc_text(value: str) -> str:
    """bashlex keeps the closing delimiter as the heredoc's last line."""
    return value.rsplit("\n", 1)[0] if "\n" in value else ""


def _add_command(
    line: CommandLine,
    words: list[str],
    piped_from: tuple[str, ...],
    depth: int,
    *,
    scope: Scope | None = None,
    origin: str = "",
    recursive: bool = False,
    unseen: bool = False,
    heredoc: str | None = None,
    stdin_fed: bool = False,
) -> None:
    """Record `words` and what they run inside them (wrappers, find, xargs, strings, scripts)."""
    where = scope or line.scope
    line.segments.append(Segment(tuple(words), piped_from, where, origin, recursive, unseen))
    name = command_name(words[0])
    _note_opaque(line, name, words, piped_from, depth, stdin_fed, where)
    inside = look_inside(name, tuple(words), where, heredoc)
    for inner in inside.commands:
        _add_command(
            line, list(inner.words), piped_from, depth, scope=inner.scope, origin=inner.origin,
            recursive=recursive or inner.recursive_operands, unseen=unseen or inner.unseen_operands,
        )  # fmt: skip
    for text, runs_in, _by in inside.scripts:
        _parse_into(line, text, depth + 1, runs_in)
    for target in inside.writes:
        line.segments.append(Segment((">", target), scope=where))
    script = script_of(name, tuple(words), where)
    if script is not None:
        _look_at_script(line, script, where, depth, shell=name in SHELLS or "/" in words[0])
    if scope is None and name in ("cd", "pushd", "popd"):
        line.scope = where.moved_to(_directory_after(name, words, where))
    if scope is None and name in DECLARATIONS:
        for word in words[1:]:
            _assign(line, word)


def _assign(line: CommandLine, assignment: str) -> None:
    """`NAME=value` (alone, or after `export`): later words see the value (None when unknown)."""
    match = ASSIGNMENT.match(assignment)
    if match:
        line.scope = line.scope.assign(match.group(1), expand(match.group(2), line.scope))


def _directory_after(name: str, words: list[str], scope: Scope) -> str | None:
    if name == "popd":
        return None
    targets = [w for w in words[1:] if not w.startswith("-") or w == "-"]
    if not targets:
        return scope.home if name == "cd" else None
    return None if targets[0] == "-" else absolute(targets[0], scope)


def _look_at_script(line: CommandLine, word: str, scope: Scope, depth: int, *, shell: bool) -> None:
    """A script the command runs is judged by what it runs: a shell script line by line, another
    language by whether it runs commands or deletes trees itself (which the policy cannot follow)."""
    script = read_script(word, scope)
    if script.text is None and script.missing and not _written_earlier(line, word):
        return  # it fails to start: nothing runs
    if script.text is None:
        line.opaque.append(f"it runs a script the policy cannot read: {script.problem}")
    elif script.text.startswith("\x7fELF"):
        return
    elif shell and script.is_shell:
        _parse_into(line, script.text, depth + 1, scope)
    else:
        found = RUNS_COMMANDS.search(script.text)
        if found:
            line.opaque.append(f"the script {word} runs commands itself ({found.group(0)}), which cannot be judged")


def _written_earlier(line: CommandLine, word: str) -> bool:
    name = posixpath.basename(word)
    return any(name in posixpath.basename(w) for segment in line.segments[:-1] for w in segment.words[1:])


def _note_opaque(
    line: CommandLine, name: str, words: list[str], piped_from: tuple[str, ...], depth: int, stdin_fed: bool,
    scope: Scope,
) -> None:  # fmt: skip
    args = words[1:]
    if name in OPAQUE_COMMANDS:
        line.opaque.append(OPAQUE_COMMANDS[name])
        if name == "eval":
            _parse_into(line, " ".join(args), depth + 1, scope)
    if name in SHELLS:
        _note_shell(line, name, args, piped_from, depth, scope)
    family = _family(name)
    flags = INLINE_CODE_FLAGS.get(family, ())
    if any(a in flags or (a.startswith("-") and not a.startswith("--") and any(f[1:] in a for f in flags if
           len(f) == 2)) for a in args[:3]):  # fmt: skip
        line.opaque.append(f"{name} {flags[0]} runs inline code")
    elif family in INTERPRETERS and stdin_fed and not [a for a in args if not a.startswith("-")]:
        line.opaque.append(f"{name} reads its program from its input (a pipe, a redirection or a heredoc)")
    if name in AWKS and any("system" in a or "|" in a for a in args):
        line.opaque.append(f"the {name} program runs commands (system() or a pipe)")


def _note_shell(
    line: CommandLine, name: str, args: list[str], piped_from: tuple[str, ...], depth: int, scope: Scope
) -> None:
    script_index = next((i for i, a in enumerate(args) if a == "-c" or _short_cluster_has(a, "c")), None)
    if script_index is not None:
        line.opaque.append(f"{name} -c runs a string as a script")
        string = next((a for a in args[script_index + 1 :] if not a.startswith("-")), "")
        if string:
            _parse_into(line, string, depth + 1, scope)
        return
    positional = [a for a in args if not a.startswith("-") and not a.startswith("+")]
    if not positional or "-s" in args:
        line.opaque.append(f"{name} reads its script from its input")
        downloaders = DOWNLOADERS.intersection(piped_from)
        if downloaders:
            line.dangers.append(f"a download ({', '.join(sorted(downloaders))}) is piped into {name}")


def _short_cluster_has(word: str, letter: str) -> bool:
    return word.startswith("-") and not word.startswith("--") and letter in word[1:]
