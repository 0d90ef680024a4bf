"""What a command runs besides itself: wrappers (`sudo`, `env`, `busybox`, `timeout`, …), `find -exec` and
`-delete`, `xargs`, strings handed to a shell (`su -c`, `env -S`), heredocs fed to a shell, and script
files. `look_inside` says it as data — inner commands, command strings to parse, why something cannot be
seen — and the command-line walker (tools/policy/command_line.py) judges them like any other command.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field

from tools.policy.command_options import parse_arguments
from tools.policy.command_paths import Scope, absolute

# Commands that run the rest of their arguments as another command; options that take a value.
WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "--user", "--group", "--chdir"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
    "nohup": frozenset(),
    "setsid": frozenset(),
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
    "unbuffer": frozenset(),
    "busybox": frozenset(),
    "strace": frozenset({"-o", "-e", "-p", "-s", "-u"}),
    "ltrace": frozenset({"-o", "-e", "-p", "-s", "-u"}),
    "flock": frozenset({"-w", "-E", "--timeout"}),
    "chroot": frozenset({"--userspec", "--groups"}),
}
POSITIONAL_BEFORE_COMMAND = {"timeout": 1, "flock": 1, "chroot": 1, "taskset": 1, "chrt": 1}
"""Wrappers whose command follows a positional argument (a duration, a lock file, a root, a mask)."""
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
FIND_WRITES = frozenset({"-fprint", "-fprint0", "-fls", "-fprintf"})
XARGS_VALUES = frozenset({"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "-e", "-i", "-l"})
SCRIPT_LIMIT = 256 * 1024
SHELL_NAMES = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash"})
RUNS_COMMANDS = re.compile(
    r"\b(os\.system|os\.popen|os\.exec\w*|os\.spawn\w*|subprocess|pty\.spawn|shutil\.rmtree|child_process|"
    r"execSync|spawnSync|Kernel\.system|IO\.popen|`[^`]+`|system\s*\(|exec\s*\()"
)
"""What a non-shell script calls to run commands or delete trees (the policy cannot judge those calls)."""

SHELLS = SHELL_NAMES | {"fish"}
INLINE_CODE_FLAGS = {
    "python": ("-c",),
    "perl": ("-e", "-E"),
    "ruby": ("-e",),
    "node": ("-e", "-p", "--eval", "--print"),
    "deno": ("eval",),
    "php": ("-r",),
    "lua": ("-e",),
    "Rscript": ("-e",),
    "osascript": ("-e",),
}
INTERPRETERS = frozenset({"python", "perl", "ruby", "node", "php", "lua", "Rscript", "tclsh", "irb"})
AWKS = frozenset({"awk", "gawk", "mawk", "nawk"})
DOWNLOADERS = frozenset({"curl", "wget", "fetch", "aria2c"})
OPAQUE_COMMANDS = {
    "eval": "eval runs a string built at run time",
    "source": "source runs another script's commands in this shell",
    ".": "`.` runs another script's commands in this shell",
    "exec": "exec replaces the shell with another program",
    "watch": "watch runs its command through a shell",
    "trap": "trap runs a string later",
    "alias": "alias changes what later words mean",
}


@dataclass(frozen=True)
class Inner:
    """A command another command runs."""

    words: tuple[str, ...]
    origin: str
    """What runs it, for the verdict's wording (`find -exec`, `xargs`, `sudo`)."""
    scope: Scope
    recursive_operands: bool = False
    """Each operand stands for everything below it (`find ~ -exec rm {} +`)."""
    unseen_operands: bool = False
    """More operands arrive at run time that the line does not show (`xargs rm`)."""


@dataclass
class Inside:
    commands: list[Inner] = field(default_factory=list)
    scripts: list[tuple[str, Scope, str]] = field(default_factory=list)
    """(command text, where it runs, what runs it) to parse like the line itself."""
    writes: list[str] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)


def look_inside(name: str, words: tuple[str, ...], scope: Scope, heredoc: str | None = None) -> Inside:
    inside = Inside()
    args = words[1:]
    if name in WRAPPERS:
        _unwrap(inside, name, list(args), scope)
    elif name == "find":
        _find(inside, list(args), scope)
    elif name == "xargs":
        _xargs(inside, list(args), scope)
    elif name in ("su", "runuser"):
        string = _value_after(list(args), ("-c", "--command"))
        if string is not None:
            inside.scripts.append((string, scope, f"{name} -c"))
    if name in SHELL_NAMES and heredoc is not None:
        inside.scripts.append((heredoc, scope, f"a heredoc fed to {name}"))
    return inside


def _unwrap(inside: Inside, wrapper: str, rest: list[str], scope: Scope) -> None:
    takes_value = WRAPPERS[wrapper]
    index = 0
    while index < len(rest):
        word = rest[index]
        if word == "--":
            index += 1
            break
        option = word.split("=", 1)[0]
        if wrapper == "env" and option in ("-C", "--chdir", "-S", "--split-string"):
            value, index = _option_value(rest, index)
            if option in ("-C", "--chdir"):
                scope = scope.moved_to(absolute(value, scope))
                continue
            inside.scripts.append((" ".join([value, *rest[index:]]), scope, "env -S"))
            return
        if wrapper == "command" and word in ("-v", "-V"):
            return  # `command -v x` only says where x is
        if word in takes_value:
            index += 2
            continue
        if word.startswith("-") or (wrapper == "env" and ASSIGNMENT.match(word)):
            index += 1
            continue
        break
    index += POSITIONAL_BEFORE_COMMAND.get(wrapper, 0)
    if index < len(rest):
        inside.commands.append(Inner(tuple(rest[index:]), wrapper, scope))


def _option_value(words: list[str], index: int) -> tuple[str, int]:
    """The value of the option at `index` (`--opt=value` or `--opt value`) and the index after it."""
    word = words[index]
    if "=" in word and word.startswith("--"):
        return word.split("=", 1)[1], index + 1
    return (words[index + 1] if index + 1 < len(words) else ""), index + 2


def _find(inside: Inside, args: list[str], scope: Scope) -> None:
    """`find ROOTS… EXPRESSION`: `-delete` deletes below the roots, `-exec` runs a command on them."""
    roots: list[str] = []
    index = 0
    while index < len(args) and not args[index].startswith(("-", "(", "!")):
        roots.append(args[index])
        index += 1
    roots = roots or ["."]
    while index < len(args):
        word = args[index]
        index += 1
        if word == "-delete":
            inside.commands.append(Inner(("rm", "-r", "-f", *roots), "find -delete", scope, recursive_operands=True))
        elif word in FIND_WRITES and index < len(args):
            inside.writes.append(args[index])
        elif word in FIND_EXEC:
            command: list[str] = []
            while index < len(args) and args[index] not in (";", "+"):
                command.append(args[index])
                index += 1
            index += 1
            filled = _fill_placeholders(command, roots)
            if filled:
                inside.commands.append(Inner(tuple(filled), f"find {word}", scope, recursive_operands=True))


def _fill_placeholders(command: list[str], roots: list[str]) -> list[str]:
    filled: list[str] = []
    for word in command:
        if word == "{}":
            filled += roots
        elif "{}" in word:
            filled += [word.replace("{}", root) for root in roots]
        else:
            filled.append(word)
    return filled


def _xargs(inside: Inside, args: list[str], scope: Scope) -> None:
    index = 0
    while index < len(args) and args[index].startswith("-"):
        option = args[index]
        index += 2 if option in XARGS_VALUES else 1
    command = tuple(args[index:]) or ("echo",)
    inside.commands.append(Inner(command, "xargs", scope, unseen_operands=True))


def _value_after(args: list[str], options: tuple[str, ...]) -> str | None:
    for index, word in enumerate(args):
        if word in options and index + 1 < len(args):
            return args[index + 1]
        for option in options:
            if option.startswith("--") and word.startswith(option + "="):
                return word.split("=", 1)[1]
    return None


def script_of(name: str, words: tuple[str, ...], scope: Scope) -> str | None:
    """The script file a command runs (`sh x.sh`, `./x.sh`, `python3 tool.py`), as a word; None if none."""
    if "/" in words[0] and name not in SHELL_NAMES:
        return words[0]
    if name in SHELL_NAMES or name.startswith(("python", "perl", "ruby", "node", "php")):
        parsed = parse_arguments(words[1:], name, stop_at_operand=True)
        if parsed.has("-c", "-e", "-E", "-m", "-r", "-p", "--eval", "--print"):
            return None
        return parsed.operands[0] if parsed.operands and parsed.operands[0] != "-" else None
    return None


@dataclass(frozen=True)
class ScriptFile:
    path: str
    text: str | None
    """None when it could not be read (missing, not a regular file, too large)."""
    problem: str = ""
    missing: bool = False

    @property
    def is_shell(self) -> bool:
        first = (self.text or "").split("\n", 1)[0]
        if not first.startswith("#!"):
            return True
        return any(shell in first for shell in SHELL_NAMES) or first.rstrip().endswith("/sh")


def read_script(word: str, scope: Scope) -> ScriptFile:
    """The script's text, read without blocking (a FIFO or device is never opened)."""
    path = absolute(word, scope)
    if path is None:
        return ScriptFile(word, None, f"the script path {word!r} depends on something the line does not say")
    try:
        info = os.stat(path)
    except OSError:
        return ScriptFile(path, None, f"the script {word} does not exist yet (is it written by this line?)", True)
    if not stat.S_ISREG(info.st_mode):
        return ScriptFile(path, None, f"{word} is not a regular file")
    if info.st_size > SCRIPT_LIMIT:
        return ScriptFile(path, None, f"the script {word} is over {SCRIPT_LIMIT // 1024} KiB")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        return ScriptFile(path, None, f"the script {word} cannot be read ({error.strerror})")
    try:
        data = os.read(fd, SCRIPT_LIMIT + 1)
    finally:
        os.close(fd)
    return ScriptFile(path, data.decode("utf-8", errors="replace"))
