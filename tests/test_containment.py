"""The containment in force (issue 11, points 1-3): the sandbox on by default, shown on the terminal and
recorded in the trace; where none can run, said loudly and every command asks; `--no-sandbox` runs
them unconfined and is recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.trace import list_traces, read_trace, verify
from tests.conftest import run_scripted_cli
from tests.sandboxing import bwrap_or_skip
from tests.scripted_server import ScriptedModelServer, call
from tools.base import Category
from tools.policy.config import load_policy, user_policy_path
from tools.policy.sandbox import UNAVAILABLE_VARIABLE, containment_for


def _trace(workspace: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    [summary] = list_traces(workspace)
    assert verify(summary.path).status == "intact"
    records = read_trace(summary.path).valid_records()
    return records[0], records


def _policy_file(text: str) -> None:
    user_policy_path().parent.mkdir(parents=True, exist_ok=True)
    user_policy_path().write_text(text)


def test_the_sandbox_is_on_by_default_and_no_sandbox_turns_it_off(workspace: Path) -> None:
    assert load_policy("auto-all", workspace).sandbox == "auto"
    assert load_policy("auto-all", workspace, no_sandbox=True).sandbox == "off"
    _policy_file('[sandbox]\nmode = "required"\n')
    assert load_policy("auto-all", workspace, no_sandbox=True).sandbox == "off"
    (workspace / ".flambeau").mkdir()
    (workspace / ".flambeau" / "policy.toml").write_text('[sandbox]\nmode = "required"\n')
    assert load_policy("auto-all", workspace, no_sandbox=True).sandbox == "required"


def test_what_the_sandbox_hides_and_shows(workspace: Path) -> None:
    bwrap_or_skip()
    home = Path.home()
    for rel in (".ssh/id_ed25519", ".aws/credentials", ".gitconfig", ".cargo/credentials.toml"):
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text("x")
    (workspace / "secrets").mkdir()
    (workspace / "secrets" / "token.txt").write_text("t")
    containment = containment_for("auto", workspace, ["secrets/**"]).containment
    assert containment.sandbox == "bubblewrap" and containment.network == "blocked"
    assert any(str(home) in hidden for hidden in containment.hidden)
    assert str(home / ".cargo" / "credentials.toml") in containment.hidden
    assert str(workspace / "secrets") in containment.hidden
    assert str(home / ".gitconfig") in containment.read_only and f"{workspace}/.flambeau" in containment.read_only
    assert containment.writable[0] == str(workspace)


def test_without_a_sandbox_every_command_is_a_firm_question(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UNAVAILABLE_VARIABLE, "1")
    sandbox = containment_for("auto", workspace)
    assert sandbox.plan is None and sandbox.containment.commands_ask and not sandbox.containment.chosen
    policy = load_policy("auto-all", workspace)
    policy.unconfined = sandbox.containment.reason
    verdict = policy.evaluate("run_command", Category.COMMAND, {"command": "echo hello"})
    assert (verdict.action, verdict.firm) == ("ask", True)
    assert "no sandbox can run here" in verdict.rule and "--no-sandbox" in verdict.rule
    assert policy.evaluate("read_file", Category.READ, {"path": "x"}).action == "allow"
    assert policy.evaluate("run_command", Category.COMMAND, {"command": "rm -rf ~"}).action == "deny"


def test_a_command_asking_for_the_network_is_a_firm_question(workspace: Path) -> None:
    policy = load_policy("auto-all", workspace)
    verdict = policy.evaluate("run_command", Category.COMMAND, {"command": "pip download x", "network": True})
    assert (verdict.action, verdict.firm) == ("ask", True) and "network" in verdict.rule
    assert policy.evaluate("run_command", Category.COMMAND, {"command": "pip download x"}).action == "allow"


def test_flambeau_run_shows_the_sandbox_and_records_it(model_server: ScriptedModelServer, workspace: Path) -> None:
    bwrap_or_skip()
    model_server.add(call("run_command", command="echo inside > out.txt"), call("attempt_completion", result="ok"))
    result = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "go", stdin="")
    assert result.code == 0, result.stderr
    assert "sandbox: bubblewrap · network blocked" in result.stderr and "hidden:" in result.stderr
    assert (workspace / "out.txt").read_text() == "inside\n"
    header, records = _trace(workspace)
    assert header["kind"] == "trace_header" and header["containment"]["sandbox"] == "bubblewrap"
    start = next(r for r in records if r["kind"] == "task_start")
    assert start["config"]["extra"]["containment"]["network"] == "blocked"
    event = next(r for r in records if r.get("event_type") == "containment")
    assert event["data"]["sandbox"] == "bubblewrap"


def test_without_a_sandbox_the_cli_says_so_loudly_and_auto_all_asks(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(call("run_command", command="echo ran > out.txt"), call("attempt_completion", result="ok"))
    env = {UNAVAILABLE_VARIABLE: "1"}
    result = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "--json", "go", stdin="", env=env)
    assert result.code == 0, result.stderr
    assert "!! NO SANDBOX: the sandbox is made unavailable" in result.stderr
    assert "every command asks a person, even under --approve auto-all" in result.stderr
    assert not (workspace / "out.txt").exists()
    events = result.events()
    [containment] = [e for e in events if e["type"] == "containment"]
    assert containment["sandbox"] == "none" and containment["commands_ask"] and not containment["chosen"]
    [asked] = [e for e in events if e["type"] == "approval_requested"]
    assert asked["firm"] and "no sandbox can run here" in asked["reason"]
    header, _ = _trace(workspace)
    assert header["containment"]["commands_ask"] is True


def test_no_sandbox_runs_commands_unconfined_and_the_trace_says_it_was_chosen(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(call("run_command", command="echo ran > out.txt"), call("attempt_completion", result="ok"))
    env = {UNAVAILABLE_VARIABLE: "1"}
    result = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "--no-sandbox", "go", stdin="", env=env)
    assert result.code == 0, result.stderr
    assert "!! NO SANDBOX: turned off by the user" in result.stderr
    assert (workspace / "out.txt").read_text() == "ran\n"
    header, _ = _trace(workspace)
    assert header["containment"]["chosen"] is True and header["containment"]["sandbox"] == "none"
