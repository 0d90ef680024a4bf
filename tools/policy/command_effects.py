"""What one command would touch, judged by target: deletions, writes and permission changes, each
resolved to the path it names (tools/policy/command_paths.py) and held against the places that matter
(tools/policy/places.py). A finding is a refusal ("deny") or a question that even automatic approval
modes put to a person ("ask"); git's own destructive and code-running forms are in command_git.py.
"""

from __future__ import annotations

import glob
import os
import posixpath
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from tools.policy.command_line import Segment
from tools.policy.command_options import Arguments, parse_arguments
from tools.policy.command_paths import Scope, absolute, glob_base, is_glob
from tools.policy.places import HARMLESS_DEVICES, Places, in_git_dir

PROBES = ("a", "z", "src", "etc", "usr", "bin", "home", "root", "Documents", ".ssh", ".git", ".flambeau", ".config")
"""Names a glob is tried on, to know what it could match beyond what exists now."""
MAX_GLOB_MATCHES = 200
TARGETED = frozenset({
    "rm", "rmdir", "unlink", "shred", "mv", "cp", "ln", "install", "tee", "touch", "mkdir", "truncate", "dd",
    "sed", "chmod", "chown", "chgrp", "rsync", "git",
})  # fmt: skip
"""Commands whose judgement depends on their operands (so operands the line does not show must be asked)."""


@dataclass(frozen=True)
class Finding:
    action: Literal["deny", "ask"]
    reason: str


def findings(segment: Segment, places: Places) -> list[Finding]:
    """Every refusal or question about `segment`'s targets (empty: nothing to say)."""
    from tools.policy.command_git import git_findings

    if not segment.words or segment.scope is None:
        return []
    name, scope, words = segment.name, segment.scope, segment.words[1:]
    if name == ">":
        return _found(_write(words[0], scope, places))
    if segment.unseen_operands and name in TARGETED:
        return [Finding("ask", f"`{segment}` gets operands at run time that the line does not show")]
    if name == "git":
        return git_findings(segment, places)
    judge = JUDGES.get(name)
    return [f for f in judge(segment, parse_arguments(words, name), places) if f] if judge else []


def _found(finding: Finding | None) -> list[Finding]:
    return [finding] if finding else []


def _targets(word: str, scope: Scope) -> list[str] | None:
    """The paths a word could name: itself, or for a glob its real matches, what it could match among
    likely names, and its whole folder when it matches anything (`/[a-z]*` is everything in `/`)."""
    path = absolute(word, scope)
    if path is None:
        return None
    if not is_glob(path):
        return [path]
    base = glob_base(path)
    component = path[len(base) :].lstrip("/").split("/", 1)[0]
    found = sorted(glob.glob(path))[:MAX_GLOB_MATCHES]
    probes = [posixpath.join(base, probe) for probe in PROBES if _shell_match(probe, component)]
    everything = all(fnmatchcase(p, component) for p in ("a", "z", "src"))
    return [*([base] if everything else []), *probes, *found]


def _shell_match(name: str, pattern: str) -> bool:
    """As the shell matches: a wildcard does not match a leading dot."""
    return fnmatchcase(name, pattern) and (not name.startswith(".") or pattern.startswith("."))


def delete(word: str, scope: Scope, places: Places, *, recursive: bool) -> Finding | None:
    targets = _targets(word, scope)
    if targets is None:
        return Finding("ask", f"cannot tell what `{word}` names before it runs, so not what it deletes")
    for target in targets:
        for path in dict.fromkeys((target, os.path.realpath(target))):
            finding = _deletion(path, recursive, places)
            if finding:
                return finding
    return None


def _deletion(path: str, recursive: bool, places: Places) -> Finding | None:
    what = "deletes everything in" if recursive else "deletes"
    if path == "/" or path.count("/") == 1:
        return Finding("deny", f"{what} {path}, the root or a top-level system folder")
    holder = places.holds_home_or_workspace(path)
    if holder:
        return Finding("deny", f"{what} {holder}")
    if recursive and posixpath.dirname(path) == places.home:
        return Finding("deny", f"{what} {path}, a folder of your home folder")
    if in_git_dir(path):
        return Finding("deny", f"{what} {path}: a repository's .git folder (its history) is never deleted")
    state = places.flambeau_state(path)
    if state:
        return Finding("deny", f"{what} {state}")
    if places.system(path):
        return Finding("deny", f"{what} {path}, a file of the system itself")
    if path == places.workspace:
        return Finding("ask", f"{what} the whole workspace {path}")
    if places.in_workspace(path) or places.temporary(path):
        return None
    return Finding("ask", f"{what} {path}, outside the workspace")


def write(word: str, scope: Scope, places: Places) -> Finding | None:
    return _write(word, scope, places)


def _write(word: str, scope: Scope, places: Places) -> Finding | None:
    targets = _targets(word, scope)
    if targets is None:
        return Finding("ask", f"cannot tell what `{word}` names before it runs, so not what it writes")
    for path in targets:
        finding = _writing(path, places)
        if finding:
            return finding
    return None


def _writing(path: str, places: Places) -> Finding | None:
    if path in HARMLESS_DEVICES or path.startswith("/dev/fd/"):
        return None
    if in_git_dir(path):
        return Finding("deny", f"writes into {path}: .git holds hooks and config that run code on the next git command")
    state = places.flambeau_state(path)
    if state:
        return Finding("deny", f"writes into {state}")
    start_up = places.persistence(path)
    if start_up:
        return Finding("deny", f"writes {path}: ~/{start_up} is run or trusted at start (it would outlive the task)")
    if places.system(path):
        return Finding("deny", f"writes {path}, a file of the system itself (or a device)")
    if places.in_workspace(path) or places.temporary(path):
        return None
    return Finding("ask", f"writes {path}, outside the workspace")


def _permissions(word: str, scope: Scope, places: Places, recursive: bool) -> Finding | None:
    targets = _targets(word, scope)
    if targets is None:
        return Finding("ask", f"cannot tell what `{word}` names before it runs, so not whose permissions change")
    for path in targets:
        holder = places.holds_home_or_workspace(path)
        if path == "/" or path.count("/") == 1 or holder or (recursive and posixpath.dirname(path) == places.home):
            return Finding("deny", f"changes the permissions of {holder or path}{' and everything in it' * recursive}")
        if in_git_dir(path) or places.flambeau_state(path):
            return Finding("deny", f"changes the permissions of {path}, in .git or Flambeau's state")
        if not (places.in_workspace(path) or places.temporary(path)):
            return Finding("ask", f"changes the permissions of {path}, outside the workspace")
    return None


Judgement = list[Finding | None]


def _rm(segment: Segment, args: Arguments, places: Places) -> Judgement:
    recursive = args.has("-r") or segment.recursive_operands
    return [delete(op, _scope(segment), places, recursive=recursive) for op in args.operands]


def _rmdir(segment: Segment, args: Arguments, places: Places) -> Judgement:
    return [delete(op, _scope(segment), places, recursive=False) for op in args.operands]


def _shred(segment: Segment, args: Arguments, places: Places) -> Judgement:
    return [write(op, _scope(segment), places) or delete(op, _scope(segment), places, recursive=False)
            for op in args.operands]  # fmt: skip


def _destination(args: Arguments) -> tuple[list[str], str | None]:
    """(sources, destination) of cp, mv, ln and install."""
    if "-t" in args.values:
        return args.operands, args.values["-t"][-1]
    if len(args.operands) >= 2:
        return args.operands[:-1], args.operands[-1]
    return args.operands, "." if args.operands else None


def _mv(segment: Segment, args: Arguments, places: Places) -> Judgement:
    sources, target = _destination(args)
    found = [delete(s, _scope(segment), places, recursive=True) for s in sources]
    return [*found, write(target, _scope(segment), places) if target else None]


def _copy(segment: Segment, args: Arguments, places: Places) -> Judgement:
    sources, target = _destination(args)
    if target is None:
        return []
    found = write(target, _scope(segment), places)
    scope = _scope(segment)
    target_path = absolute(target, scope)
    if found is None and target_path is not None and os.path.isdir(target_path):
        found = next((write(posixpath.join(target, posixpath.basename(s)), scope, places) for s in sources
                      if write(posixpath.join(target, posixpath.basename(s)), scope, places)), None)  # fmt: skip
    return [found]


def _each_operand_written(segment: Segment, args: Arguments, places: Places) -> Judgement:
    return [write(op, _scope(segment), places) for op in args.operands]


def _dd(segment: Segment, args: Arguments, places: Places) -> Judgement:
    return [write(op[3:], _scope(segment), places) for op in args.operands if op.startswith("of=")]


def _sed(segment: Segment, args: Arguments, places: Places) -> Judgement:
    if not args.has("-i"):
        return []
    files = args.operands if ("-e" in args.values or "-f" in args.values) else args.operands[1:]
    return [write(op, _scope(segment), places) for op in files]


def _chmod(segment: Segment, args: Arguments, places: Places) -> Judgement:
    targets = args.operands if "--reference" in args.values else args.operands[1:]
    recursive = args.has("-R") or segment.recursive_operands
    return [_permissions(op, _scope(segment), places, recursive) for op in targets]


def _rsync(segment: Segment, args: Arguments, places: Places) -> Judgement:
    if len(args.operands) < 2:
        return []
    target = args.operands[-1]
    found = [write(target, _scope(segment), places)]
    if args.has("--delete") or any(o.startswith("--delete") for o in args.options):
        found.append(delete(target, _scope(segment), places, recursive=True))
    return found


def _download(segment: Segment, args: Arguments, places: Places) -> Judgement:
    return [write(v, _scope(segment), places) for option in ("-o", "-O", "-P") for v in args.values.get(option, [])]


def _scheduler(segment: Segment, args: Arguments, places: Places) -> Judgement:
    if segment.name == "crontab" and args.has("-l"):
        return []
    return [Finding("deny", f"`{segment}` schedules commands that run after the task, outside its control")]


def _scope(segment: Segment) -> Scope:
    assert segment.scope is not None
    return segment.scope


JUDGES = {
    "rm": _rm, "rmdir": _rmdir, "unlink": _rmdir, "shred": _shred, "mv": _mv, "cp": _copy, "ln": _copy,
    "install": _copy, "tee": _each_operand_written, "touch": _each_operand_written,
    "mkdir": _each_operand_written, "truncate": _each_operand_written, "dd": _dd, "sed": _sed, "chmod": _chmod,
    "chown": _chmod, "chgrp": _chmod, "rsync": _rsync, "curl": _download, "wget": _download,
    "crontab": _scheduler, "at": _scheduler, "batch": _scheduler,
}  # fmt: skip
