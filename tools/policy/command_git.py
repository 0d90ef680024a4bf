"""git commands judged by what they do, whatever the spelling: work destroyed in the workspace
(`reset --hard`, `clean -f`, `checkout -- .`, `restore`, `rm -f`, `worktree remove -f`, `stash drop`,
`branch -D`) asks even in automatic
modes; force pushes and remote deletions are refused; config that makes git run a program
(`core.hooksPath`, `alias.x='!…'`, `core.fsmonitor`, filters, …), set by `git config` or `git -c`, is
refused. Global options (`-C dir`, `-c key=value`) are read first, long options normalised.
"""

from __future__ import annotations

import re

from tools.policy.command_effects import Finding, write
from tools.policy.command_line import Segment
from tools.policy.command_options import parse_arguments
from tools.policy.command_paths import absolute
from tools.policy.places import Places

CODE_RUNNING_KEYS = re.compile(
    r"^(core\.(hookspath|fsmonitor|sshcommand|pager|editor|askpass|gitproxy|alternaterefscommand|worktree)"
    r"|sequence\.editor|diff\.external|diff\..+\.(textconv|command)|merge\..+\.driver|filter\..+\.(clean|smudge|process)"
    r"|credential(\..+)?\.helper|include\.path|includeif\..+\.path|gpg(\..+)?\.program|uploadpack\.packobjectshook"
    r"|remote\..+\.(uploadpack|receivepack|proxy)|pager\..+|(diff|merge)tool\..+\.cmd|browser\..+\.(cmd|path)"
    r"|web\.browser|man\..+\.(cmd|path)|init\.templatedir|submodule\..+\.update|core\.sshcommand|ssh\.variant"
    r"|protocol\..*allow|http\..*\.?(sslkey|cookiefile)|safe\.directory)$"
)
"""Keys whose value git runs as a program (or that widen what it trusts)."""
CONFIG_READS = frozenset({"--get", "--get-all", "--get-regexp", "--list", "-l", "--unset", "--unset-all", "-e"})
CONFIG_VERBS = frozenset({"set", "get", "unset", "list", "edit", "rename-section", "remove-section"})
REWRITES_REMOTE = frozenset({"-f", "--force-with-lease", "--force-if-includes", "--mirror", "-d", "--prune"})
DISCARDS = "discards uncommitted changes in the workspace (a checkpoint cannot bring back what git never saw)"


def git_findings(segment: Segment, places: Places) -> list[Finding]:
    assert segment.scope is not None
    scope = segment.scope
    top = parse_arguments(segment.words[1:], "git", stop_at_operand=True)
    found: list[Finding] = []
    for directory in top.values.get("-C", []):
        scope = scope.moved_to(absolute(directory, scope))
    for setting in top.values.get("-c", []):
        key, _, value = setting.partition("=")
        found += _config_key(key, value, f"git -c {setting}")
    if top.has("--exec-path"):
        found.append(Finding("deny", "`git --exec-path=…` makes git run its subcommands from another folder"))
    if not top.operands:
        return found
    sub, rest = top.operands[0], top.operands[1:]
    args = parse_arguments(rest, f"git {sub}")
    if sub == "config":
        found += _config(rest, places, scope)
    elif sub == "reset" and args.has("--hard", "--merge", "--keep"):
        found.append(Finding("ask", DISCARDS))
    elif sub == "clean" and not args.has("-n"):
        extra = " and ignored files (this task's trace in .flambeau among them)" if args.has("-x", "-X") else ""
        found.append(Finding("ask", f"deletes untracked files{extra}, which no commit holds"))
    elif sub == "checkout" and (args.has("-f", "-p") or args.after_double_dash or _pathspec_like(args.operands)):
        found.append(Finding("ask", f"checks out files over their changes: it {DISCARDS}"))
    elif (sub == "restore" and not (args.options and args.options <= {"-S"})) or (
        sub == "switch" and args.has("-f", "--discard-changes")
    ):
        found.append(Finding("ask", DISCARDS))
    elif sub == "rm" and args.has("-f") and not args.has("--cached", "-n"):
        found.append(Finding("ask", f"deletes files whatever their changes: it {DISCARDS}"))
    elif sub == "worktree" and args.operands[:1] == ["remove"] and args.has("-f"):
        found.append(Finding("ask", f"deletes a working tree whatever its changes: it {DISCARDS}"))
    elif sub == "stash" and args.operands[:1] in (["drop"], ["clear"]):
        found.append(Finding("ask", "deletes stashed work"))
    elif sub == "branch" and args.has("-d") and args.has("-f"):
        found.append(Finding("ask", "deletes a branch whether or not it was merged"))
    elif sub in ("filter-branch", "filter-repo") or (sub == "reflog" and args.operands[:1] == ["expire"]):
        found.append(Finding("ask", "rewrites or drops history"))
    elif sub == "push":
        found += _push(args.options, args.operands)
    return found


def _pathspec_like(operands: list[str]) -> bool:
    return any(op in (".", "*", ":/") or "/" in op or "*" in op for op in operands)


def _push(options: set[str], operands: list[str]) -> list[Finding]:
    if options & REWRITES_REMOTE or any(op.startswith(("+", ":")) for op in operands[1:]):
        return [Finding("deny", "a force push (or a deletion on the remote) rewrites history others may have")]
    return []


def _config(rest: list[str], places: Places, scope: object) -> list[Finding]:
    from tools.policy.command_paths import Scope

    assert isinstance(scope, Scope)
    args = parse_arguments(rest, "git config")
    operands = list(args.operands)
    verb = operands.pop(0) if operands and operands[0] in CONFIG_VERBS else ""
    found: list[Finding] = []
    for file in args.values.get("-f", []):
        if len(operands) >= 2 or verb == "set":
            found += [f for f in [write(file, scope, places)] if f]
    reading = verb in ("get", "list", "unset") or bool(args.options & CONFIG_READS) or len(operands) < 2
    if reading and verb != "set":
        return found
    key, value = operands[0], " ".join(operands[1:])
    found += _config_key(key, value, f"git config {key}")
    if not found and args.has("--global", "--system"):
        found.append(Finding("ask", f"changes your git settings for {key} outside the workspace"))
    return found


def _config_key(key: str, value: str, shown: str) -> list[Finding]:
    lowered = key.lower()
    if CODE_RUNNING_KEYS.match(lowered):
        return [Finding("deny", f"sets {key} ({shown}), whose value git runs as a program or trusts")]
    if lowered.startswith("alias.") and value.lstrip().startswith("!"):
        return [Finding("deny", f"defines a git alias that runs a shell command ({shown}={value[:40]})")]
    return []
