"""Local engines found on loopback: an Ollama-shaped and an OpenAI-shaped (llama.cpp) scripted server,
moved to free ports with FLAMBEAU_ENGINE_PORTS; a task then runs on a detected model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.models.detect import detect_engines, engine_ports, suggested_name
from tests.conftest import run_cli
from tests.provider_servers import OLLAMA_DIGEST, OllamaServer
from tests.scripted_server import ScriptedModelServer, call


@pytest.fixture
def ollama() -> Iterator[OllamaServer]:
    with OllamaServer() as server:
        yield server


@pytest.fixture
def engines_env(
    ollama: OllamaServer, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Ollama and a llama.cpp server on free ports; LM Studio and vLLM pointed at ports nothing listens on."""
    ports = f"ollama={ollama.port},llamacpp={model_server.port},lmstudio=9,vllm=9"
    monkeypatch.setenv("FLAMBEAU_ENGINE_PORTS", ports)
    return {"FLAMBEAU_ENGINE_PORTS": ports}


def test_engines_on_their_loopback_ports_are_found_with_their_models(engines_env: dict[str, str]) -> None:
    found = {engine.kind: engine for engine in asyncio.run(detect_engines())}
    assert set(found) == {"ollama", "llamacpp"}
    ollama = found["ollama"]
    assert ollama.label == "Ollama" and ollama.api_base.startswith("http://127.0.0.1:")
    assert [(m.id, m.model, m.digest) for m in ollama.models] == [
        ("qwen2.5-coder:7b", "ollama_chat/qwen2.5-coder:7b", OLLAMA_DIGEST)
    ]
    llama = found["llamacpp"]
    assert llama.api_base.endswith("/v1") and [m.model for m in llama.models] == ["openai/scripted-model"]
    assert llama.profile_table("scripted-model") == {"model": "openai/scripted-model", "api_base": llama.api_base}
    with pytest.raises(ConfigError, match="does not serve a model named 'nope'"):
        llama.profile_table("nope")
    assert suggested_name("ollama", "qwen2.5-coder:7b") == "ollama-qwen2.5-coder-7b"


def test_only_loopback_ports_can_be_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAMBEAU_ENGINE_PORTS", "ollama=example.com:80")
    with pytest.raises(ConfigError, match="is not ENGINE=PORT"):
        engine_ports()
    monkeypatch.setenv("FLAMBEAU_ENGINE_PORTS", "kobold=5001")
    with pytest.raises(ConfigError, match="engines: ollama, lmstudio, llamacpp, vllm"):
        engine_ports()


def test_models_detect_prints_engines_and_a_task_runs_on_a_detected_model(
    engines_env: dict[str, str], model_server: ScriptedModelServer, workspace: Path
) -> None:
    shown = run_cli("models", "detect", env=engines_env)
    assert shown.code == 0, shown.stderr
    assert "Ollama at http://127.0.0.1:" in shown.stdout and "llama.cpp server at http://127.0.0.1:" in shown.stdout
    listed = json.loads(run_cli("models", "detect", "--json", env=engines_env).stdout)
    llama = next(e for e in listed["engines"] if e["kind"] == "llamacpp")
    model = llama["models"][0]

    added = run_cli("models", "add", "found", "--model", model["model"], "--api-base", llama["api_base"])
    assert added.code == 0 and "(local)" in added.stdout, added.stderr
    model_server.add(call("run_command", command="echo detected-ok"), call("attempt_completion", result="done"))
    ran = run_cli("run", "--workspace", str(workspace), "--model", "found", "--approve", "auto-all", "--json", "go")
    assert ran.code == 0, ran.stderr
    assert model_server.chat_requests[0].body["model"] == "scripted-model"
    assert any(e["type"] == "tool_result" and "detected-ok" in e["output"] for e in ran.events())


def test_nothing_running_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    ports = "ollama=9,lmstudio=9,llamacpp=9,vllm=9"
    shown = run_cli("models", "detect", env={"FLAMBEAU_ENGINE_PORTS": ports})
    assert shown.code == 0 and "no local engine answered on 127.0.0.1" in shown.stdout


def test_a_web_server_that_is_not_an_engine_is_not_reported(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An OpenAI-shaped server on Ollama's port answers /api/tags with 404: not an Ollama.
    monkeypatch.setenv("FLAMBEAU_ENGINE_PORTS", f"ollama={model_server.port},lmstudio=9,llamacpp=9,vllm=9")
    assert asyncio.run(detect_engines()) == []
    assert model_server.chat_requests == []
