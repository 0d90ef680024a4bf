"""list_definitions over real tree-sitter grammars, and the repo map: ranking, budget, cache, increments."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agent.approval import ApproveAll
from agent.events import Event
from agent.models.profile import ModelProfile
from agent.runner import TaskSpec, build_session
from tests.conftest import ROOT
from tests.scripted_server import ScriptedModelServer, call
from tools.base import ToolContext, ToolError, ToolResult
from tools.outline import MAX_OUTPUT_DEFINITIONS, ListDefinitions, Outliner
from tools.workspace.jail import PathError, Workspace
from tools.workspace.repomap import RepoMap, approximate_tokens, prompt_budget

SOURCES: dict[str, tuple[str, bytes, list[tuple[str, str, int, int]]]] = {
    "python": (
        "app.py",
        b"import os\n\nclass Store(Base):\n    def get(self, key):\n        def helper():\n            pass\n"
        b"        return key\n\n    @property\n    def size(self):\n        return 0\n\nasync def main():\n    pass\n",
        [("Store", "class", 3, 0), ("get", "method", 4, 1), ("size", "method", 10, 1), ("main", "function", 13, 0)],
    ),
    "javascript": (
        "app.js",
        b"class Cart {\n  add(item) {}\n}\nfunction total(a) { return a; }\nconst fmt = (x) => x;\n"
        b"export function* ids() {}\n",
        [
            ("Cart", "class", 1, 0),
            ("add", "method", 2, 1),
            ("total", "function", 4, 0),
            ("fmt", "function", 5, 0),
            ("ids", "function", 6, 0),
        ],
    ),
    "typescript": (
        "types.ts",
        b"export interface Shape { area(): number }\ntype Id = string;\nenum Color { Red }\n"
        b"export class Circle implements Shape {\n  area(): number { return 1; }\n}\nnamespace Geo {}\n"
        b"const square = (n: number): number => n * n;\n",
        [
            ("Shape", "interface", 1, 0),
            ("Id", "type", 2, 0),
            ("Color", "enum", 3, 0),
            ("Circle", "class", 4, 0),
            ("area", "method", 5, 1),
            ("Geo", "namespace", 7, 0),
            ("square", "function", 8, 0),
        ],
    ),
    "tsx": (
        "view.tsx",
        b"export const App = () => <div />;\nexport function Header(): JSX.Element { return <h1 />; }\n",
        [("App", "function", 1, 0), ("Header", "function", 2, 0)],
    ),
    "go": (
        "main.go",
        b"package main\n\ntype Server struct{}\ntype Handler interface{}\ntype Port int\n\n"
        b"func (s *Server) Start() error { return nil }\nfunc main() {}\n",
        [
            ("Server", "struct", 3, 0),
            ("Handler", "interface", 4, 0),
            ("Port", "type", 5, 0),
            ("Start", "method", 7, 0),
            ("main", "function", 8, 0),
        ],
    ),
    "rust": (
        "lib.rs",
        b"pub struct Point { x: i32 }\npub enum Dir { Up }\npub trait Draw { fn draw(&self); }\n"
        b"impl Draw for Point {\n    fn draw(&self) {}\n}\npub fn origin() -> Point { Point { x: 0 } }\nmod util {}\n",
        [
            ("Point", "struct", 1, 0),
            ("Dir", "enum", 2, 0),
            ("Draw", "trait", 3, 0),
            ("draw", "method", 3, 1),
            ("Point", "impl", 4, 0),
            ("draw", "method", 5, 1),
            ("origin", "function", 7, 0),
            ("util", "module", 8, 0),
        ],
    ),
    "java": (
        "App.java",
        b"public class App {\n  public App() {}\n  public static void main(String[] args) {}\n}\n"
        b"interface Runner { void run(); }\nenum Mode { ON }\nrecord Pair(int a, int b) {}\n",
        [
            ("App", "class", 1, 0),
            ("App", "constructor", 2, 1),
            ("main", "method", 3, 1),
            ("Runner", "interface", 5, 0),
            ("run", "method", 5, 1),
            ("Mode", "enum", 6, 0),
            ("Pair", "record", 7, 0),
        ],
    ),
    "c": (
        "util.c",
        b"struct node { int v; };\ntypedef unsigned long size;\nint add(int a, int b) { return a + b; }\n"
        b"static char *name(void) { return 0; }\nint declared(int);\n",
        [
            ("node", "struct", 1, 0),
            ("size", "type", 2, 0),
            ("add", "function", 3, 0),
            ("name", "function", 4, 0),
            ("declared", "prototype", 5, 0),
        ],
    ),
    "cpp": (
        "shape.cpp",
        b"namespace geo {\nclass Shape {\n public:\n  double area() const;\n};\n}\n"
        b"double geo::Shape::area() const { return 0; }\ntemplate <typename T> T twice(T x) { return x + x; }\n",
        [
            ("geo", "namespace", 1, 0),
            ("Shape", "class", 2, 1),
            ("area", "method", 4, 2),
            ("geo::Shape::area", "function", 7, 0),
            ("twice", "function", 8, 0),
        ],
    ),
}


@pytest.mark.parametrize("language", list(SOURCES))
def test_definitions_of_each_language(language: str) -> None:
    _, source, expected = SOURCES[language]
    found = Outliner().definitions(source, language)
    assert [(d.name, d.kind, d.line, d.depth) for d in found] == expected


def _run(tool: ListDefinitions, root: Path, path: str) -> ToolResult:
    return asyncio.run(tool.run(tool.parse({"path": path}), ToolContext(workspace=Workspace(root))))


def test_list_definitions_of_a_file_shows_lines_and_nesting(workspace: Path) -> None:
    name, source, _ = SOURCES["python"]
    (workspace / name).write_bytes(source)
    output = _run(ListDefinitions(), workspace, name).output
    assert output == "app.py:\n 3 class Store(Base)\n 4   def get(self, key)\n10   def size(self)\n13 async def main()"


def test_list_definitions_of_a_folder_honours_ignore_files(workspace: Path) -> None:
    for name, source, _ in SOURCES.values():
        (workspace / "src" / name).parent.mkdir(exist_ok=True)
        (workspace / "src" / name).write_bytes(source)
    (workspace / ".gitignore").write_text("src/lib.rs\n")
    (workspace / "src" / "README.md").write_text("# not code\n")
    result = _run(ListDefinitions(), workspace, ".")
    headers = [line for line in result.output.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert headers == [f"src/{n}:" for n in sorted(n for n, _, _ in SOURCES.values() if n != "lib.rs")]


def test_list_definitions_is_capped_with_counts(workspace: Path) -> None:
    (workspace / "many.py").write_text("".join(f"def f{i}():\n    pass\n" for i in range(MAX_OUTPUT_DEFINITIONS + 30)))
    (workspace / "more.py").write_text("def g():\n    pass\n")
    result = _run(ListDefinitions(), workspace, ".")
    assert result.output.endswith(
        "[... 31 more definitions in 1 more files not shown; ask for a subdirectory or a file]"
    )
    assert result.data == {"definitions": MAX_OUTPUT_DEFINITIONS, "left_out": 31}


def test_list_definitions_refuses_what_it_cannot_read(workspace: Path) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    with pytest.raises(ToolError, match="no grammar for this kind of file"):
        _run(ListDefinitions(), workspace, "notes.txt")
    with pytest.raises(ToolError, match="does not exist"):
        _run(ListDefinitions(), workspace, "missing.py")
    with pytest.raises(PathError):
        _run(ListDefinitions(), workspace, "../")


def test_grammars_are_not_imported_with_the_tools() -> None:
    probe = "import sys, tools.registry, agent.session; print(sorted(m for m in sys.modules if 'tree_sitter' in m))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- the repo map --------------------------------------------------------------------------------
def _repo(root: Path) -> None:
    (root / "core").mkdir()
    (root / "core" / "engine.py").write_text(
        "class Engine:\n    def start(self):\n        pass\n\n    def stop(self):\n        pass\n\n"
        "def rarely_used_helper():\n    pass\n"
    )
    (root / "core" / "config.py").write_text("class Settings:\n    debug = False\n")
    for i in range(5):
        settings = "Settings" if i < 3 else "None"
        (root / f"user_{i}.py").write_text(
            f"from core.engine import Engine\n\ndef job_{i}():\n    Engine().start()\n    return {settings}\n"
        )
    (root / "user_0.py").write_text((root / "user_0.py").read_text() + "\ndef extra():\n    Engine().stop()\n")


def test_map_ranks_the_most_used_definitions_first(workspace: Path, tmp_path: Path) -> None:
    _repo(workspace)
    repo_map = RepoMap(workspace, cache_dir=tmp_path / "cache")
    repo_map.refresh()
    ranked = [(rel, d.name) for _, rel, d in repo_map.ranked()]
    assert ranked[:2] == [("core/engine.py", "Engine"), ("core/config.py", "Settings")]
    assert ranked.index(("core/engine.py", "start")) < ranked.index(("core/engine.py", "rarely_used_helper"))
    small = repo_map.render(20)
    assert small.splitlines()[:2] == ["core/engine.py:", "  class Engine"]
    assert "rarely_used_helper" not in small


@pytest.mark.parametrize("budget", [10, 25, 60, 200])
def test_map_stays_within_its_token_budget(workspace: Path, tmp_path: Path, budget: int) -> None:
    _repo(workspace)
    repo_map = RepoMap(workspace, cache_dir=tmp_path / "cache")
    repo_map.refresh()
    text = repo_map.render(budget)
    assert approximate_tokens(text) <= budget
    assert text, "even a small budget holds the top definition"


def test_task_words_bring_definitions_into_the_map(workspace: Path, tmp_path: Path) -> None:
    _repo(workspace)
    repo_map = RepoMap(workspace, cache_dir=tmp_path / "cache")
    repo_map.refresh()
    assert "rarely_used_helper" in repo_map.render(20, focus=["fix rarely_used_helper please"])


def test_map_cache_survives_a_restart_and_parses_only_what_changed(workspace: Path, tmp_path: Path) -> None:
    _repo(workspace)
    cache = tmp_path / "cache"
    first = RepoMap(workspace, cache_dir=cache)
    assert first.refresh().parsed == 7
    first.save()
    assert not (workspace / ".flambeau").exists() and len(list(cache.iterdir())) == 1

    (workspace / "core" / "config.py").write_text("class Settings:\n    debug = True\n\nclass Profile:\n    pass\n")
    second = RepoMap(workspace, cache_dir=cache)
    stats = second.refresh()
    assert (stats.parsed, stats.rehashed) == (1, 1)
    assert ("core/config.py", "Profile") in [(rel, d.name) for _, rel, d in second.ranked()]


def test_map_follows_edits_renames_deletions_and_new_directories(workspace: Path, tmp_path: Path) -> None:
    _repo(workspace)
    repo_map = RepoMap(workspace, cache_dir=None)
    repo_map.refresh()

    (workspace / "user_4.py").rename(workspace / "renamed.py")
    stats = repo_map.refresh()
    assert stats.parsed == 0 and not stats.full_walk, "same content, new name: served from the content-hash cache"
    (workspace / "user_3.py").unlink()
    (workspace / "pkg" / "deep").mkdir(parents=True)
    (workspace / "pkg" / "deep" / "new.py").write_text("class Fresh:\n    pass\n")
    with (workspace / "core" / "engine.py").open("a") as handle:
        handle.write("\ndef appended():\n    pass\n")
    stats = repo_map.refresh()
    assert stats.parsed == 2 and not stats.full_walk
    names = {(rel, d.name) for _, rel, d in repo_map.ranked()}
    assert {("renamed.py", "job_4"), ("pkg/deep/new.py", "Fresh"), ("core/engine.py", "appended")} <= names
    assert not any(rel in ("user_3.py", "user_4.py") for rel, _ in names)
    fresh = RepoMap(workspace, cache_dir=None)
    fresh.refresh()
    assert repo_map.ranked() == fresh.ranked(), "the patched ranking equals one built from scratch"


def test_a_changed_ignore_file_is_honoured(workspace: Path) -> None:
    _repo(workspace)
    repo_map = RepoMap(workspace, cache_dir=None)
    repo_map.refresh()
    (workspace / ".gitignore").write_text("user_*.py\n")
    stats = repo_map.refresh()
    assert stats.full_walk
    assert {rel for _, rel, _ in repo_map.ranked()} == {"core/engine.py", "core/config.py"}


def test_a_corrupt_cache_is_rebuilt(workspace: Path, tmp_path: Path) -> None:
    _repo(workspace)
    cache = tmp_path / "cache"
    repo_map = RepoMap(workspace, cache_dir=cache)
    repo_map.refresh()
    repo_map.save()
    [path] = cache.iterdir()
    payload = json.loads(path.read_text())
    payload["facts"] = {sha: {"d": [["broken"]], "i": []} for sha in payload["facts"]}
    path.write_text(json.dumps(payload))
    again = RepoMap(workspace, cache_dir=cache)
    assert again.refresh().parsed == 7
    path.write_text("{not json")
    assert RepoMap(workspace, cache_dir=cache).refresh().parsed == 7


def test_time_budget_leaves_the_rest_for_the_next_refresh(workspace: Path) -> None:
    _repo(workspace)
    repo_map = RepoMap(workspace, cache_dir=None, time_budget_s=0.0)
    assert repo_map.refresh().incomplete
    repo_map.time_budget_s = None
    stats = repo_map.refresh()
    assert not stats.incomplete and stats.files == 7


def test_prompt_budget_is_small_for_compact_prompts() -> None:
    assert prompt_budget(4096, compact=True) == 128
    assert prompt_budget(8192, compact=True) == 160
    assert prompt_budget(200_000, compact=False) == 1024


def test_the_system_prompt_carries_the_map(model_server: ScriptedModelServer, workspace: Path) -> None:
    _repo(workspace)
    model_server.add(call("attempt_completion", result="ok"))
    events: list[Event] = []
    profile = ModelProfile(name="s", model="openai/scripted", api_base=model_server.base_url, context_window=32_000)
    spec = TaskSpec(task="make Engine faster", workspace=workspace, profile=profile, approval_mode="auto-all")
    result = asyncio.run(build_session(spec, ApproveAll(), events.append).run())
    assert result.outcome == "completed"
    system: Any = model_server.chat_requests[0].body["messages"][0]["content"]
    assert "Repository map (most used definitions):\ncore/engine.py:\n  class Engine" in system
    cache_root = Path(os.environ["HOME"]) / ".cache" / "flambeau" / "repomap"
    assert len(list(cache_root.iterdir())) == 1, "the map is cached in the user's cache directory"


def test_outlining_a_folder_again_sees_changed_files(workspace: Path) -> None:
    tool = ListDefinitions()
    (workspace / "a.py").write_text("def first():\n    pass\n")
    (workspace / "b.py").write_text("def other():\n    pass\n")
    assert "first" in _run(tool, workspace, ".").output
    (workspace / "a.py").write_text("def first():\n    pass\n\ndef second(x):\n    return x\n")
    output = _run(tool, workspace, ".").output
    assert output == "a.py:\n1 def first()\n4 def second(x)\n\nb.py:\n1 def other()"


def test_compact_prompt_with_its_map_and_the_tool_schemas_fits_in_2000_tokens(workspace: Path) -> None:
    from agent.context import litellm_token_counter
    from prompts import render_system_prompt
    from tools.registry import default_tools
    from tools.workspace.repomap import map_for_prompt

    for i in range(30):
        (workspace / f"service_module_{i}.py").write_text(
            "".join(
                f"class ServiceHandlerNumber{i}x{j}(BaseHandler):\n"
                f"    def handle_request_with_long_name_{j}(self, request_object, response_object):\n"
                f"        return ServiceHandlerNumber{(i + 1) % 30}x{j}\n"
                for j in range(10)
            )
        )
    repo_map = map_for_prompt(workspace, prompt_budget(8192, compact=True), "")
    assert repo_map.count("\n") > 5, "the map fills its budget"
    count = litellm_token_counter("openai/gpt-4o")
    system = render_system_prompt(compact=True, workspace=str(workspace), rules="", repo_map=repo_map)
    assert count(system) + count(json.dumps(default_tools().openai_schemas())) < 2000


def test_walking_stops_at_the_file_cap(workspace: Path) -> None:
    _repo(workspace)
    repo_map = RepoMap(workspace, cache_dir=None, max_files=3)
    assert repo_map.refresh().files == 3
