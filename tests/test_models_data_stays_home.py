"""Data that must stay home does: local-only mode refuses cloud profiles before any byte is sent;
never-to-cloud files and secrets never appear in a cloud request; keys live only in keyring."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import run_cli
from tests.scripted_server import ScriptedModelServer, call

FAKE_AWS_KEY = "AKIAZ7QX3MPLE4CANARY"
PLAN_CANARY = "CANARY-never-to-cloud-launch-plan-7f3a91"
API_KEY = "sk-test-keyring-only-5d8c0e2b7a914f63"


def write_user_config(text: str) -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau" / "models.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def cloud_profile_at(server: ScriptedModelServer, extra: str = "") -> str:
    """A profile whose endpoint is a loopback server but whose locality is forced to cloud."""
    return (
        f'[profiles.cloudy]\nmodel = "openai/gpt-4o"\napi_base = "{server.base_url}"\nlocality = "cloud"\n'
        f'api_key_name = "openai"\n{extra}'
    )


def run_task(workspace: Path, model: str, *extra: str) -> subprocess.CompletedProcess[str] | object:
    return run_cli(
        "run", "--workspace", str(workspace), "--model", model, "--approve", "auto-all", "--json", *extra,
        "Look at the project",
    )  # fmt: skip


def test_local_only_flag_refuses_a_cloud_profile_and_sends_nothing(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    write_user_config(cloud_profile_at(model_server))
    model_server.add(call("attempt_completion", result="should never be asked"))
    result = run_cli("run", "--workspace", str(workspace), "--model", "cloudy", "--local-only", "--json", "Do it")
    assert result.code == 2
    assert "refused" in result.stderr and "local-only mode is on" in result.stderr
    assert "--local-only" in result.stderr and 'locality is set to "cloud"' in result.stderr
    assert model_server.requests == []


def test_workspace_file_can_turn_on_local_only_but_not_off(model_server: ScriptedModelServer, workspace: Path) -> None:
    write_user_config(cloud_profile_at(model_server))
    (workspace / ".flambeau").mkdir()
    (workspace / ".flambeau" / "models.toml").write_text("local_only = true\n")
    result = run_cli("run", "--workspace", str(workspace), "--model", "cloudy", "--json", "Do it")
    assert result.code == 2 and "refused" in result.stderr
    assert str(workspace / ".flambeau" / "models.toml") in result.stderr
    assert model_server.requests == []

    (workspace / ".flambeau" / "models.toml").write_text('default = "cloudy"\n[profiles.x]\nmodel = "openai/x"\n')
    loosened = run_cli("run", "--workspace", str(workspace), "--model", "cloudy", "--json", "Do it")
    assert loosened.code == 2 and "may only narrow" in loosened.stderr
    assert model_server.requests == []


def _canary_workspace(workspace: Path) -> None:
    (workspace / "secret").mkdir()
    (workspace / "secret" / "plan.txt").write_text(f"{PLAN_CANARY}\n")
    (workspace / "settings.py").write_text(f'REGION = "eu-west-1"\nAWS_ACCESS_KEY_ID = "{FAKE_AWS_KEY}"\n')


def _canary_script(server: ScriptedModelServer) -> None:
    server.add(
        call("read_file", path="secret/plan.txt"),
        call("read_file", path="settings.py"),
        call("run_command", command="cat secret/plan.txt settings.py"),
        call("attempt_completion", result="looked"),
    )


def test_cloud_requests_contain_neither_never_to_cloud_files_nor_secrets(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    write_user_config('never_to_cloud = ["secret/**"]\n' + cloud_profile_at(model_server))
    _canary_workspace(workspace)
    _canary_script(model_server)
    result = run_task(workspace, "cloudy")
    assert result.code == 0, result.stderr  # type: ignore[attr-defined]
    bodies = [json.dumps(r.body) for r in model_server.chat_requests]
    assert len(bodies) == 4
    assert not any(PLAN_CANARY in b for b in bodies)
    assert not any(FAKE_AWS_KEY in b for b in bodies)
    tool_results = [m["content"] for m in model_server.chat_requests[-1].body["messages"] if m["role"] == "tool"]
    assert "Withheld from the cloud model" in tool_results[0] and "secret/**" in tool_results[0]
    assert 'REGION = "eu-west-1"' in tool_results[1] and "[REDACTED]" in tool_results[1]
    # The command: withheld by the cloud filter, or (in the sandbox) the never_to_cloud file is not there at all.
    assert "Withheld from the cloud model" in tool_results[2] or "secret/plan.txt: No such file" in tool_results[2]


def test_the_same_task_on_a_local_profile_reads_both(model_server: ScriptedModelServer, workspace: Path) -> None:
    write_user_config(
        'never_to_cloud = ["secret/**"]\n'
        f'[profiles.home]\nmodel = "openai/qwen"\napi_base = "{model_server.base_url}"\n'
    )
    _canary_workspace(workspace)
    _canary_script(model_server)
    result = run_task(workspace, "home")
    assert result.code == 0, result.stderr  # type: ignore[attr-defined]
    last = json.dumps(model_server.chat_requests[-1].body)
    assert PLAN_CANARY in last and FAKE_AWS_KEY in last


def test_a_stored_key_is_used_and_written_nowhere(model_server: ScriptedModelServer, workspace: Path) -> None:
    config = write_user_config(cloud_profile_at(model_server))
    stored = run_cli("keys", "set", "openai", stdin=API_KEY + "\n")
    assert stored.code == 0, stored.stderr
    assert API_KEY not in stored.stdout + stored.stderr
    listed = run_cli("keys", "list")
    assert listed.stdout.split() == ["openai"] and API_KEY not in listed.stdout + listed.stderr
    assert "keyrings.alt" in listed.stderr or "keyring" in listed.stderr

    model_server.add(call("run_command", command="env"), call("attempt_completion", result="done"))
    result = run_task(workspace, "cloudy")
    assert result.code == 0, result.stderr  # type: ignore[attr-defined]
    auth = [{k.lower(): v for k, v in r.headers.items()}.get("authorization") for r in model_server.chat_requests]
    assert auth == [f"Bearer {API_KEY}"] * 2
    assert API_KEY not in result.stdout  # type: ignore[attr-defined]
    traces = workspace / ".flambeau" / "traces"
    assert any(traces.iterdir())
    for folder in (workspace, config.parent, traces):
        found = subprocess.run(["grep", "-r", "-l", API_KEY, str(folder)], capture_output=True, text=True)
        assert found.returncode == 1, f"the key was written to {found.stdout}"


def test_a_key_given_as_an_argument_is_refused() -> None:
    result = run_cli("keys", "set", "openai", API_KEY)
    assert result.code == 2 and "unrecognized arguments" in result.stderr


def test_env_files_are_withheld_and_their_values_and_private_keys_redacted_for_cloud(workspace: Path) -> None:
    from agent.egress import CloudEgressGuard

    guard = CloudEgressGuard(workspace, ["secret/**"])
    env_text = "DB_HOST=db.internal\nexport DB_PASSWORD=hunter2-hunter2\n"
    assert guard("read_file", {"path": ".env"}, env_text).startswith("Withheld from the cloud model")
    assert guard("read_file", {"path": "deploy/.env.prod"}, env_text).startswith("Withheld from the cloud model")
    assert guard("read_file", {"path": ".envrc"}, env_text) == "DB_HOST=[REDACTED]\nexport DB_PASSWORD=[REDACTED]\n"
    config = 'debug = true\nAPI_TOKEN = "tok-12345678"\n'
    assert guard("read_file", {"path": "app.toml"}, config) == "debug = true\nAPI_TOKEN = [REDACTED]\n"
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----\n"
    assert "MIIEabc" not in guard("run_command", {"command": "cat id_rsa"}, pem)
    assert guard("list_files", {"path": "secret"}, "plan.txt").startswith("Withheld from the cloud model")
