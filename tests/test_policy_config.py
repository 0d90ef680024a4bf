"""Policy files: the user's file sets rules, the workspace's file can only tighten them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tools.base import Category, ToolError
from tools.policy.config import PolicyConfigError, load_policy, user_policy_path
from tools.workspace.jail import PathError


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _decide(workspace: Path, mode: str, command: str) -> str:
    return load_policy(mode, workspace).evaluate("run_command", Category.COMMAND, {"command": command}).action


def test_the_user_allow_list_auto_approves_matching_commands(workspace: Path) -> None:
    _write(user_policy_path(), '[commands]\nallow = ["pytest *"]\n')
    assert _decide(workspace, "ask", "pytest -q") == "allow"
    assert _decide(workspace, "ask", "pytest -q && rm -rf build") == "ask"


def test_a_workspace_cannot_grant_itself_auto_approval(workspace: Path) -> None:
    _write(
        workspace / ".flambeau" / "policy.toml",
        '[modes]\nedit = "allow"\ncommand = "allow"\ngit = "allow"\n[commands]\nallow = ["*", "rm *"]\n',
    )
    policy = load_policy("ask", workspace)
    assert policy.evaluate("run_command", Category.COMMAND, {"command": "rm -rf build"}).action == "ask"
    assert policy.evaluate("write_file", Category.EDIT, {"path": "a"}).action == "ask"
    assert policy.evaluate("git_commit", Category.GIT, {"message": "x"}).action == "ask"


def test_a_workspace_can_tighten_the_user_policy(workspace: Path) -> None:
    _write(user_policy_path(), '[commands]\nallow = ["npm *"]\n')
    _write(workspace / ".flambeau" / "policy.toml", '[modes]\ngit = "deny"\n[commands]\ndeny = ["npm publish"]\n')
    assert _decide(workspace, "auto-all", "npm publish --access public") == "deny"
    assert _decide(workspace, "ask", "npm install") == "allow"
    policy = load_policy("auto-all", workspace)
    assert policy.evaluate("git_commit", Category.GIT, {}).action == "deny"


def test_the_user_file_can_only_tighten_the_chosen_approval_mode(workspace: Path) -> None:
    _write(user_policy_path(), '[modes]\ncommand = "deny"\n')
    assert _decide(workspace, "auto-all", "ls") == "deny"


def test_sandbox_and_protected_paths_merge_to_the_stricter(workspace: Path) -> None:
    _write(user_policy_path(), '[sandbox]\nmode = "auto"\n[paths]\nprotected = [".env"]\n')
    _write(workspace / ".flambeau" / "policy.toml", '[sandbox]\nmode = "off"\n[paths]\nprotected = ["secrets/"]\n')
    policy = load_policy("ask", workspace)
    assert policy.sandbox == "auto"
    assert policy.protected_paths == [".env", "secrets/"]
    _write(workspace / ".flambeau" / "policy.toml", '[sandbox]\nmode = "required"\n')
    assert load_policy("ask", workspace).sandbox == "required"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[modes\n", "not valid TOML"),
        ('[modes]\ncommand = "sometimes"\n', "modes.command"),
        ('[commands]\nallow = ["ok", "unclosed \'quote"]\n', "cannot be split into words"),
        ("[surprise]\nx = 1\n", "unknown or wrong entries"),
    ],
)
def test_a_broken_policy_file_is_a_clear_error_naming_the_file(workspace: Path, text: str, complaint: str) -> None:
    path = workspace / ".flambeau" / "policy.toml"
    _write(path, text)
    with pytest.raises(PolicyConfigError, match=complaint) as error:
        load_policy("ask", workspace)
    assert str(path) in str(error.value)


def _session_for(workspace: Path) -> Any:
    from agent.approval import ApproveAll
    from agent.models.profile import ModelProfile
    from agent.runner import TaskSpec, build_session

    profile = ModelProfile(name="scripted", model="openai/scripted", api_base="http://127.0.0.1:9")
    spec = TaskSpec(task="t", workspace=workspace, profile=profile, trace=False)
    return build_session(spec, ApproveAll(), lambda event: None)


def test_protected_paths_from_the_policy_cannot_be_written_by_file_tools(workspace: Path) -> None:
    _write(user_policy_path(), '[paths]\nprotected = [".env"]\n')
    _write(workspace / ".flambeau" / "policy.toml", '[paths]\nprotected = ["secrets/"]\n')
    jail = _session_for(workspace).ctx.workspace
    for path in (".env", "secrets/key.pem"):
        with pytest.raises(PathError, match="protected path"):
            jail.resolve_for_write(path)
    assert jail.resolve_for_write("src/app.py") == workspace.resolve() / "src" / "app.py"


def test_a_required_sandbox_that_cannot_run_refuses_commands(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from tools.policy.sandbox import _probe
    from tools.shell import RunCommand, RunCommandArgs

    _write(user_policy_path(), '[sandbox]\nmode = "required"\n')
    monkeypatch.setenv("PATH", str(workspace / "no-binaries-here"))
    _probe.cache_clear()
    try:
        ctx = _session_for(workspace).ctx
    finally:
        _probe.cache_clear()
    assert "bubblewrap is not installed" in ctx.extra["sandbox_error"]
    with pytest.raises(ToolError, match="not run: the policy requires the command sandbox"):
        asyncio.run(RunCommand().run(RunCommandArgs(command="touch ran"), ctx))
    assert not (workspace / "ran").exists()


def test_flambeau_run_reports_a_broken_policy_file_and_exits_2(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.run import main

    _write(workspace / ".flambeau" / "policy.toml", "[modes]\ncommand = 'sometimes'\n")
    code = main(["--workspace", str(workspace), "--model", "openai/x", "--api-base", "http://127.0.0.1:9", "task"])
    assert code == 2
    assert "policy.toml has unknown or wrong entries" in capsys.readouterr().err
