"""Requests through litellm have each provider's real shape: OpenAI chat completions, Anthropic
Messages, Ollama chat — against loopback servers, driven by `flambeau run` with profiles from TOML."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.conftest import run_cli
from tests.provider_servers import OLLAMA_DIGEST, AnthropicServer, OllamaServer
from tests.scripted_server import Reply, ScriptedModelServer, call

SCRIPT = (call("run_command", command="echo shape-ok"), call("attempt_completion", result="ran it"))


def write_user_config(text: str) -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "flambeau" / "models.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run_task(workspace: Path, model: str, *extra: str, stdin: str | None = None) -> Any:
    return run_cli(
        "run", "--workspace", str(workspace), "--model", model, "--approve", "auto-all", "--json", *extra,
        "Run echo shape-ok", stdin=stdin,
    )  # fmt: skip


def test_openai_profile_sends_chat_completions_with_tools(model_server: ScriptedModelServer, workspace: Path) -> None:
    write_user_config(f'[profiles.oa]\nmodel = "openai/gpt-4o-mini"\napi_base = "{model_server.base_url}"\n')
    model_server.add(*SCRIPT)
    result = run_task(workspace, "oa")
    assert result.code == 0, result.stderr
    first, second = (r for r in model_server.chat_requests)
    assert first.path == "/v1/chat/completions"
    assert first.body["model"] == "gpt-4o-mini"
    assert [m["role"] for m in first.body["messages"]] == ["system", "user"]
    assert {t["type"] for t in first.body["tools"]} == {"function"}
    assert second.body["messages"][-1]["role"] == "tool" and "shape-ok" in second.body["messages"][-1]["content"]
    usage = [e for e in result.events() if e["type"] == "usage"]
    assert usage[0]["provenance"]["response_model"] == "scripted-model"
    assert usage[0]["provenance"]["system_fingerprint"] == "fp_scripted"


def test_anthropic_profile_sends_messages_api_with_tool_use(workspace: Path) -> None:
    with AnthropicServer([Reply(text="On it.", tool_calls=[("run_command", {"command": "echo shape-ok"})]),
                          call("attempt_completion", result="ran it")]) as server:  # fmt: skip
        write_user_config(
            f'[profiles.claude]\nmodel = "anthropic/claude-sonnet-4-5"\napi_base = "{server.base_url}"\n'
            'api_key_name = "anthropic"\n'
        )
        stored = run_cli("keys", "set", "anthropic", stdin="sk-ant-test-0123456789abcdefghij\n")
        assert stored.code == 0, stored.stderr
        result = run_task(workspace, "claude")
        assert result.code == 0, result.stderr
        first, second = server.chat_requests
    assert first.path.startswith("/v1/messages")
    assert first.headers.get("x-api-key") == "sk-ant-test-0123456789abcdefghij"
    assert first.headers.get("anthropic-version")
    body = first.body
    assert body["model"] == "claude-sonnet-4-5"
    assert "system" in body and all(m["role"] != "system" for m in body["messages"])
    assert body["max_tokens"] > 0
    assert {t["name"] for t in body["tools"]} >= {"run_command", "attempt_completion"}
    assert all("input_schema" in t for t in body["tools"])
    # The tool result goes back as a tool_result block answering the tool_use id.
    assistant = second.body["messages"][-2]
    results = second.body["messages"][-1]
    tool_use = next(b for b in assistant["content"] if b["type"] == "tool_use")
    block = next(b for b in results["content"] if b["type"] == "tool_result")
    assert block["tool_use_id"] == tool_use["id"] and "shape-ok" in json.dumps(block["content"])


def test_ollama_profile_sends_api_chat_with_detected_num_ctx_and_records_digest(workspace: Path) -> None:
    with OllamaServer(list(SCRIPT), num_ctx=12288) as server:
        write_user_config(f'[profiles.ol]\nmodel = "ollama_chat/qwen2.5-coder:7b"\napi_base = "{server.base_url}"\n')
        result = run_task(workspace, "ol", "--no-stream")
        assert result.code == 0, result.stderr
        first, second = server.chat_requests
    assert first.path == "/api/chat"
    assert first.body["model"] == "qwen2.5-coder:7b"
    # Ollama's small default window would silently drop input: the real one is sent with every request.
    assert first.body["options"]["num_ctx"] == 12288
    assert {t["function"]["name"] for t in first.body["tools"]} >= {"run_command"}
    assert "shape-ok" in second.body["messages"][-1]["content"]
    events = result.events()
    started = next(e for e in events if e["type"] == "task_started")
    assert started["locality"] == "local" and started["extra"]["window"] == 12288
    assert started["extra"]["openness"]["family"] == "Qwen"
    usage = [e for e in events if e["type"] == "usage"]
    assert usage and all(u["provenance"]["digest"] == OLLAMA_DIGEST for u in usage)


def test_without_a_stored_key_the_environment_variable_litellm_reads_is_used(workspace: Path) -> None:
    with AnthropicServer(list(SCRIPT)) as server:
        write_user_config(f'[profiles.claude]\nmodel = "anthropic/claude-haiku-4-5"\napi_base = "{server.base_url}"\n')
        result = run_cli(
            "run", "--workspace", str(workspace), "--model", "claude", "--approve", "auto-all", "--json",
            "Run echo shape-ok", env={"ANTHROPIC_API_KEY": "sk-ant-from-env-0123456789abcdef"},
        )  # fmt: skip
        assert result.code == 0, result.stderr
        keys = {r.headers.get("x-api-key") for r in server.chat_requests}
    assert keys == {"sk-ant-from-env-0123456789abcdef"}
