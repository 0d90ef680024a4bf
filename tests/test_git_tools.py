"""Git tools over a real repository: reads never touch .git, commits carry the task and the model."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tools.base import Category, Tool, ToolContext, ToolError, ToolResult
from tools.git import GitCommit, GitDiff, GitLog, GitStatus
from tools.registry import default_tools
from tools.workspace.jail import PathError, Workspace


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(workspace: Path) -> Path:
    _git(workspace, "init", "-q", "-b", "main")
    _git(workspace, "config", "user.email", "dev@example.com")
    _git(workspace, "config", "user.name", "Dev")
    (workspace / "app.py").write_text("print('v1')\n")
    (workspace / "README.md").write_text("# project\n")
    _git(workspace, "add", "-A")
    _git(workspace, "commit", "-q", "-m", "initial commit")
    return workspace


def _ctx(root: Path) -> ToolContext:
    return ToolContext(workspace=Workspace(root), task_id="20260101T000000Z-abcd1234", model="openai/gpt-test")


def _run(tool: Tool[Any], root: Path, **arguments: Any) -> ToolResult:
    return asyncio.run(tool.run(tool.parse(arguments), _ctx(root)))


def _index_digest(root: Path) -> str:
    return hashlib.sha256((root / ".git" / "index").read_bytes()).hexdigest()


def test_status_diff_and_log_show_the_repository_without_writing_its_index(repo: Path) -> None:
    (repo / "app.py").write_text("print('v2')\n")
    (repo / "new.txt").write_text("new\n")
    (repo / "README.md").write_text("# project\nmore\n")
    _git(repo, "add", "README.md")
    index_before = _index_digest(repo)

    status = _run(GitStatus(), repo).output
    assert "## main" in status and " M app.py" in status and "?? new.txt" in status and "M  README.md" in status
    unstaged = _run(GitDiff(), repo).output
    assert "-print('v1')" in unstaged and "+print('v2')" in unstaged and "README" not in unstaged
    staged = _run(GitDiff(), repo, staged=True).output
    assert "+more" in staged and "app.py" not in staged
    against = _run(GitDiff(), repo, ref="HEAD", path="app.py").output
    assert "+print('v2')" in against
    log = _run(GitLog(), repo).output
    assert "Dev: initial commit" in log
    assert _index_digest(repo) == index_before


def test_commit_of_named_files_leaves_other_changes_alone_and_carries_trailers(repo: Path) -> None:
    (repo / "app.py").write_text("print('v2')\n")
    (repo / "README.md").write_text("# project\nstaged by the user\n")
    _git(repo, "add", "README.md")
    (repo / "feature.py").write_text("x = 1\n")

    result = _run(GitCommit(), repo, message="Add feature\n\nWith a body.", paths=["feature.py", "app.py"])
    assert result.ok and result.data["commit"] == _git(repo, "rev-parse", "HEAD").strip()
    assert sorted(_git(repo, "show", "--name-only", "--format=", "HEAD").split()) == ["app.py", "feature.py"]
    trailers = _git(repo, "log", "-1", "--format=%(trailers)")
    assert "Flambeau-Task: 20260101T000000Z-abcd1234" in trailers
    assert "Co-authored-by: openai/gpt-test (via Flambeau) <openai-gpt-test@models.flambeau.invalid>" in trailers
    assert _git(repo, "log", "-1", "--format=%s").strip() == "Add feature"
    # The user's own staged change is still staged, not committed.
    assert _git(repo, "status", "--porcelain") == "M  README.md\n"


def test_commit_without_paths_commits_every_change(repo: Path) -> None:
    (repo / "app.py").write_text("print('v3')\n")
    (repo / "README.md").unlink()
    (repo / "docs").mkdir()
    (repo / "docs" / "guide.md").write_text("guide\n")
    _run(GitCommit(), repo, message="Rework")
    assert _git(repo, "status", "--porcelain") == ""
    assert sorted(_git(repo, "show", "--name-status", "--format=", "HEAD").splitlines()) == [
        "A\tdocs/guide.md",
        "D\tREADME.md",
        "M\tapp.py",
    ]


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"message": "  "}, "empty commit message"),
        ({"message": "x", "paths": []}, "paths is empty"),
        ({"message": "nothing changed"}, "nothing to commit"),
    ],
)
def test_a_commit_that_cannot_happen_is_a_clear_error(repo: Path, arguments: dict[str, Any], complaint: str) -> None:
    head = _git(repo, "rev-parse", "HEAD")
    with pytest.raises(ToolError, match=complaint):
        _run(GitCommit(), repo, **arguments)
    assert _git(repo, "rev-parse", "HEAD") == head


@pytest.mark.parametrize("path", ["../outside.txt", ".git/config", "/etc/passwd"])
def test_commit_paths_stay_inside_the_workspace_and_out_of_git(repo: Path, path: str) -> None:
    with pytest.raises(PathError):
        _run(GitCommit(), repo, message="escape", paths=[path])


def test_diff_refuses_a_revision_that_looks_like_an_option(repo: Path) -> None:
    with pytest.raises(ToolError, match="not a revision"):
        _run(GitDiff(), repo, ref="--output=/tmp/x")


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [(GitStatus(), {}), (GitDiff(), {}), (GitLog(), {}), (GitCommit(), {"message": "x"})],
    ids=["status", "diff", "log", "commit"],
)
def test_git_tools_outside_a_repository_say_so(workspace: Path, tool: Tool[Any], arguments: dict[str, Any]) -> None:
    with pytest.raises(ToolError, match="is not a git repository"):
        _run(tool, workspace, **arguments)


def test_git_tools_are_offered_and_tagged_git() -> None:
    registry = default_tools()
    for name in ("git_status", "git_diff", "git_log", "git_commit"):
        tool = registry.get(name)
        assert tool is not None and tool.category is Category.GIT


def test_commit_hooks_run_without_the_secrets_of_the_environment(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-hook-must-not-see-this-0123456789")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f"#!/bin/sh\nenv > {repo.parent / 'hook-env.txt'}\n")
    hook.chmod(0o755)
    (repo / "app.py").write_text("print('hooked')\n")
    _run(GitCommit(), repo, message="With a hook")
    seen = (repo.parent / "hook-env.txt").read_text()
    assert "GIT_INDEX_FILE" in seen or "GIT_" in seen  # the hook really ran
    assert "sk-hook-must-not-see-this" not in seen
