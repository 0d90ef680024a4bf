"""Policy files: the user's file sets rules, the workspace's file can only tighten them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.base import Category
from tools.policy_config import PolicyConfigError, load_policy, user_policy_path


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
