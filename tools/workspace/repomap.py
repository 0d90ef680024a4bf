"""The repository map: the most referenced definitions of the workspace, within a token budget.

Each file's definitions (tree-sitter) and identifiers are cached by content hash on disk, under the
user's cache directory (never inside the workspace, so a cloned repository cannot plant a cache).
A refresh stats what it knows and re-reads only what changed: directories whose modification time
moved are listed again, files whose size or time moved are hashed, and only new content is parsed.

Ranking: a definition scores by how many other files mention its name (log-scaled), weighted by
kind; private names, tests and very short names are damped; names and files the task mentions are
boosted.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tools.outline import MAX_FILE_BYTES, Definition, Outliner, language_for
from tools.workspace.ignore import IGNORE_FILES, IgnoreRules
from tools.workspace.repomap_cache import FileFacts, FileState, cache_file, default_cache_dir, read_cache, write_cache
from tools.workspace.repomap_render import TokenCount, approximate_tokens, render_within
from tools.workspace.special import read_regular
from tools.workspace.textcodec import is_binary
from tools.workspace.withhold import Withholding

IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]{2,}")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
IDENTIFIER_TEXT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
MIN_TOKENS_PER_LINE = 4
COMPACT_MAP_TOKENS = 160
"""The compact prompt (small local models) plus tool schemas must stay under 2,000 tokens."""
FULL_MAP_TOKENS = 1024
"""A map line costs at least this many tokens: bounds how many definitions could ever fit."""
KIND_WEIGHT = {"class": 1.0, "interface": 1.0, "struct": 1.0, "trait": 1.0, "function": 0.9, "method": 0.6}
MAX_MAP_DEPTH = 1
"""Definitions deeper than methods of a top-level class are left out of the map."""

@dataclass
class RefreshStats:
    files: int = 0
    parsed: int = 0
    rehashed: int = 0
    removed: int = 0
    rescanned_dirs: int = 0
    full_walk: bool = False
    seconds: float = 0.0
    incomplete: bool = False
    """The time budget ran out before every file was parsed (the rest comes in the next refresh)."""


@dataclass
class RepoMap:
    root: Path
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    """Where the map is kept between runs; None keeps it in memory only."""
    max_files: int = 20_000
    max_dirs: int = 50_000
    """Walking stops at these counts (a workspace opened on a home directory must not take minutes)."""
    time_budget_s: float | None = None
    withhold: Withholding | None = None
    """Files left out of the map (key stores; never-to-cloud and .env-style files for a cloud model)."""
    _outliner: Outliner = field(default_factory=Outliner)
    _files: dict[str, FileState] = field(default_factory=dict)
    _facts: dict[str, FileFacts] = field(default_factory=dict)
    _dirs: dict[str, int] = field(default_factory=dict)
    _ignore_stamps: dict[str, int] = field(default_factory=dict)
    _mentions: Counter[str] = field(default_factory=Counter)
    """Identifier -> number of files that contain it."""
    _entries: dict[str, list[_Entry]] = field(default_factory=dict)
    """Per file, its definitions with the part of their score that does not depend on the task."""
    _by_name: dict[str, set[tuple[str, int]]] = field(default_factory=dict)
    """Definition name -> (file, entry position) of every definition with that name."""
    _scores: list[_Scored] | None = None
    """Every entry scored without a task focus, best first; patched, not rebuilt, after small changes."""
    _stale_names: set[str] = field(default_factory=set)
    _stale_files: set[str] = field(default_factory=set)
    _paths: set[str] = field(default_factory=set)
    """Every source file the last walk found (parsed or not yet)."""
    _rules: IgnoreRules | None = None
    _loaded: bool = False

    def __post_init__(self) -> None:
        self.root = Path(os.path.realpath(self.root))
        self._root_str = str(self.root)

    def _abs(self, rel: str) -> str:
        return self._root_str + os.sep + rel if rel else self._root_str

    # -- keeping up to date -----------------------------------------------------------------------
    def refresh(self) -> RefreshStats:
        """Bring the map up to date with the files on disk; cheap when little changed."""
        started = time.perf_counter()
        stats = RefreshStats()
        if not self._loaded:
            self._load_cache()
            self._loaded = True
        now = {d: _mtime(self._abs(d)) for d in self._dirs}
        if self._rules is None or self._ignore_files_changed(now):
            paths = self._full_walk()
            stats.full_walk = True
        else:
            paths = self._rescan_changed_dirs(now, stats)
        deadline = None if self.time_budget_s is None else started + self.time_budget_s
        self._update_files(paths, stats, deadline)
        stats.files = len(self._files)
        stats.seconds = time.perf_counter() - started
        return stats

    def _full_walk(self) -> list[str]:
        self._rules = IgnoreRules(self.root, self.withhold)
        self._dirs = {}
        self._ignore_stamps = {}
        paths: list[str] = []
        self._walk_dir("", paths)
        return paths

    def _walk_dir(self, rel_dir: str, paths: list[str]) -> None:
        assert self._rules is not None
        self._dirs[rel_dir] = _mtime(self._abs(rel_dir))
        for name in IGNORE_FILES:
            stamp = _mtime(os.path.join(self._abs(rel_dir), name))
            if stamp:
                self._ignore_stamps[f"{rel_dir}/{name}" if rel_dir else name] = stamp
        for rel, kind in self._rules.list_dir(rel_dir):
            if len(paths) >= self.max_files or len(self._dirs) >= self.max_dirs:
                return
            if kind == "dir":
                self._walk_dir(rel, paths)
            elif kind == "file" and language_for(rel) is not None:
                paths.append(rel)

    def _ignore_files_changed(self, now: dict[str, int]) -> bool:
        """An ignore file changed, vanished, or appeared in a directory that changed."""
        if any(_mtime(self._abs(rel)) != stamp for rel, stamp in self._ignore_stamps.items()):
            return True
        for rel_dir, stamp in now.items():
            if stamp and stamp != self._dirs[rel_dir]:
                for name in IGNORE_FILES:
                    rel = f"{rel_dir}/{name}" if rel_dir else name
                    if rel not in self._ignore_stamps and os.path.exists(self._abs(rel)):
                        return True
        return False

    def _rescan_changed_dirs(self, now: dict[str, int], stats: RefreshStats) -> list[str]:
        """Known files, minus those of vanished directories, plus the listing of directories that changed."""
        assert self._rules is not None
        gone = {d for d, stamp in now.items() if stamp == 0}
        changed = [d for d, stamp in now.items() if stamp and stamp != self._dirs[d]]
        if not changed and not gone:
            return list(self._paths)
        stats.rescanned_dirs = len(changed)
        for d in gone:
            del self._dirs[d]
        paths = {p for p in self._paths if os.path.dirname(p) not in gone}
        for rel_dir in changed:
            self._dirs[rel_dir] = now[rel_dir]
            paths -= {p for p in paths if os.path.dirname(p) == rel_dir}
            for rel, kind in self._rules.list_dir(rel_dir):
                if kind == "file" and language_for(rel) is not None:
                    paths.add(rel)
                elif kind == "dir" and rel not in self._dirs:
                    found: list[str] = []
                    self._walk_dir(rel, found)
                    paths.update(found)
        return sorted(paths)

    def _update_files(self, paths: Iterable[str], stats: RefreshStats, deadline: float | None) -> None:
        wanted = set(paths)
        self._paths = wanted
        for rel in [r for r in self._files if r not in wanted]:
            self._forget(rel)
            stats.removed += 1
        for rel in wanted:
            try:
                st = os.stat(self._abs(rel))
            except OSError:
                self._forget(rel)
                continue
            known = self._files.get(rel)
            if known is not None and known.mtime_ns == st.st_mtime_ns and known.size == st.st_size:
                continue
            if deadline is not None and time.perf_counter() > deadline:
                stats.incomplete = True
                continue
            self._read(rel, st, stats)

    def _read(self, rel: str, st: os.stat_result, stats: RefreshStats) -> None:
        try:
            data = read_regular(self._abs(rel))
        except OSError:
            self._forget(rel)
            return
        sha = hashlib.sha256(data).hexdigest()
        known = self._files.get(rel)
        stats.rehashed += 1
        if known is not None and known.sha == sha:
            known.mtime_ns, known.size = st.st_mtime_ns, st.st_size
            return
        old = self._facts[known.sha].identifiers if known is not None else ()
        self._forget(rel, mark_names=False)
        if sha not in self._facts:
            self._facts[sha] = self._parse(rel, data)
            stats.parsed += 1
        facts = self._facts[sha]
        self._files[rel] = FileState(st.st_mtime_ns, st.st_size, sha)
        self._mentions.update(facts.identifiers)
        self._stale_names.update(set(old).symmetric_difference(facts.identifiers))
        self._add_entries(rel, _entries_for(rel, facts))

    def _add_entries(self, rel: str, entries: list[_Entry]) -> None:
        self._entries[rel] = entries
        for position, entry in enumerate(entries):
            self._by_name.setdefault(entry[1], set()).add((rel, position))

    def _parse(self, rel: str, data: bytes) -> FileFacts:
        language = language_for(rel)
        if language is None or len(data) > MAX_FILE_BYTES or is_binary(data):
            return FileFacts([], ())
        definitions = [d for d in self._outliner.definitions(data, language) if d.depth <= MAX_MAP_DEPTH]
        identifiers = tuple(sorted(m.decode("ascii") for m in set(IDENTIFIER.findall(data))))
        return FileFacts(definitions, identifiers)

    def _forget(self, rel: str, mark_names: bool = True) -> None:
        known = self._files.pop(rel, None)
        self._stale_files.add(rel)
        for position, entry in enumerate(self._entries.pop(rel, [])):
            self._by_name[entry[1]].discard((rel, position))
        if known is not None:
            old = self._facts[known.sha].identifiers
            self._mentions.subtract(old)
            if mark_names:
                self._stale_names.update(old)

    # -- ranking and rendering ----------------------------------------------------------------------
    def _score(self, rel: str, position: int, boost: float = 1.0) -> _Scored:
        """A boost (task focus) multiplies the score and adds to it, so a named definition always ranks high."""
        weight, name, own, _ = self._entries[rel][position]
        others = max(self._mentions.get(name, 0) - own, 0)
        return (-(weight * boost * (math.log1p(others) + 0.1) + boost - 1), rel, position)

    def _scored(self) -> list[_Scored]:
        """All entries scored (no focus), best first, patching the previous list where little changed."""
        if self._scores is not None and not self._stale_names and not self._stale_files:
            return self._scores
        affected: dict[str, set[int]] = {}
        for name in self._stale_names:
            for rel, position in self._by_name.get(name, ()):
                affected.setdefault(rel, set()).add(position)
        total = sum(len(e) for e in self._entries.values())
        if self._scores is None or sum(len(v) for v in affected.values()) > total // 4:
            self._scores = sorted(
                self._score(rel, position) for rel, entries in self._entries.items() for position in range(len(entries))
            )
        else:
            stale_files = self._stale_files
            keep = [
                item
                for item in self._scores
                if item[1] not in stale_files and not (item[1] in affected and item[2] in affected[item[1]])
            ]
            for rel in stale_files:
                if rel in self._entries:
                    affected[rel] = set(range(len(self._entries[rel])))
            keep.extend(self._score(rel, p) for rel, positions in affected.items() for p in positions)
            keep.sort()
            self._scores = keep
        self._stale_names.clear()
        self._stale_files.clear()
        return self._scores

    def ranked(self, focus: Iterable[str] = (), limit: int | None = None) -> list[tuple[float, str, Definition]]:
        """(score, path, definition), best first; the `limit` best only when given.

        Words of `focus` (the task) boost definitions of that name tenfold and files of that stem fivefold.
        """
        scores = self._scored()
        words = {w for text in focus for w in WORD.findall(text)}
        boosted: dict[tuple[str, int], _Scored] = {}
        if words:
            boosts: dict[tuple[str, int], float] = {}
            for word in words:
                for key in self._by_name.get(word, ()):
                    boosts[key] = 10.0
            for rel, entries in self._entries.items():
                if _focus_boost(rel, words) > 1:
                    for position in range(len(entries)):
                        boosts[(rel, position)] = boosts.get((rel, position), 1.0) * 5.0
            boosted = {key: self._score(key[0], key[1], boost) for key, boost in boosts.items()}
        count = len(scores) if limit is None else limit + len(boosted)
        top = [item for item in scores[:count] if (item[1], item[2]) not in boosted]
        top.extend(boosted.values())
        top.sort()
        if limit is not None:
            top = top[:limit]
        return [(-negative, rel, self._definition(rel, position)) for negative, rel, position in top]

    def _definition(self, rel: str, position: int) -> Definition:
        return self._facts[self._files[rel].sha].definitions[self._entries[rel][position][3]]

    def render(self, budget_tokens: int, focus: Iterable[str] = (), count_tokens: TokenCount | None = None) -> str:
        """The best-ranked definitions, grouped by file, as much as fits in `budget_tokens`."""
        if budget_tokens <= 0:
            return ""
        ranked = self.ranked(focus, limit=max(1, budget_tokens // MIN_TOKENS_PER_LINE))
        return render_within(ranked, budget_tokens, count_tokens or approximate_tokens, self._definitions_of)

    def _definitions_of(self, rel: str) -> list[Definition]:
        return self._facts[self._files[rel].sha].definitions

    # -- the cache on disk ----------------------------------------------------------------------------
    def cache_path(self) -> Path | None:
        return cache_file(self.cache_dir, self.root)

    def save(self) -> None:
        """Write the cache atomically; a failure to write only costs speed next time."""
        path = self.cache_path()
        if path is not None:
            write_cache(path, self.root, self._files, self._mentions, self._facts)

    def _load_cache(self) -> None:
        path = self.cache_path()
        cached = read_cache(path, self.root) if path is not None else None
        if cached is None:
            return
        self._facts, self._files, self._mentions = cached
        for rel, state in self._files.items():
            self._add_entries(rel, _entries_for(rel, self._facts[state.sha]))
        self._scores = None


_Entry = tuple[float, str, int, int]
"""(weight, name, 1 if the file's own mention of the name is counted, index in the file's definitions)."""
_Scored = tuple[float, str, int]
"""(negated score, file, entry position): sorts best first."""


def _entries_for(rel: str, facts: FileFacts) -> list[_Entry]:
    lowered = rel.lower()
    file_weight = 0.3 if ("test" in lowered or "/migrations/" in lowered or "/vendor/" in lowered) else 1.0
    entries: list[_Entry] = []
    for index, d in enumerate(facts.definitions):
        name = d.name
        if name.startswith("__") and name.endswith("__"):
            continue
        weight = KIND_WEIGHT.get(d.kind, 0.8) * file_weight
        if name.startswith("_"):
            weight *= 0.1
        if len(name) < 3:
            weight *= 0.1
        own = 1 if IDENTIFIER_TEXT.fullmatch(name) else 0
        entries.append((weight, name, own, index))
    return entries


def _focus_boost(rel: str, words: set[str]) -> float:
    stem = os.path.splitext(os.path.basename(rel))[0]
    return 5.0 if stem in words or rel in words else 1.0


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def prompt_budget(window: int, compact: bool) -> int:
    """Tokens of the system prompt given to the repository map: small, and smaller for small models."""
    return min(COMPACT_MAP_TOKENS, window // 32) if compact else min(FULL_MAP_TOKENS, window // 16)


def map_for_prompt(
    root: Path, budget_tokens: int, focus: str = "", time_budget_s: float = 5.0, withhold: Withholding | None = None
) -> str:
    """The repository map of `root` for a system prompt, refreshed from (and saved to) the user's cache."""
    if budget_tokens <= 0:
        return ""
    repo_map = RepoMap(root, time_budget_s=time_budget_s, withhold=withhold)
    repo_map.refresh()
    repo_map.save()
    return repo_map.render(budget_tokens, focus=[focus])
