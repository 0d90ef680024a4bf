"""The VS Code extension in a real VS Code (code-server), driven through Chromium against the scripted model.

The model proposes a read, an edit and a command; the driver (extension/e2e/run.mjs) approves the edit in
the panel, denies the command, and verifies the trace from the Traces view. Screenshots of every step go
to test-artifacts/extension-e2e/. Runs when FLAMBEAU_E2E=1 (`make extension-e2e`, part of `make test`),
which first builds the .vsix and installs code-server into extension/.e2e-cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.scripted_server import Reply, ScriptedModelServer, call

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "extension"
ARTIFACTS = ROOT / "test-artifacts" / "extension-e2e"
TASK = "Make the greeting in hello.txt say hello, world"

pytestmark = pytest.mark.skipif(
    os.environ.get("FLAMBEAU_E2E") != "1", reason="end-to-end VS Code test: run `make extension-e2e` (FLAMBEAU_E2E=1)"
)


def _script() -> list[Reply]:
    return [
        Reply(text="I will read the greeting first.", tool_calls=[("read_file", {"path": "hello.txt"})]),
        call("write_file", path="hello.txt", content="hello, world\n"),
        call("run_command", command="touch command-ran.txt"),
        call("attempt_completion", result="Updated the greeting in `hello.txt`."),
        call("attempt_completion", result="Nothing else to change."),
        call("run_command", command="touch stopped.txt"),
    ]


def _git(workspace: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True)


def _drive(scenario: str, workspace: Path, artifacts: Path, **extra: str) -> dict[str, Any]:
    vsix = EXTENSION / "flambeau.vsix"
    assert vsix.is_file(), "build the extension first: make vsix"
    assert shutil.which("node"), "node is needed to drive the browser"
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    env = {
        **os.environ,
        "E2E_SCENARIO": scenario,
        "E2E_WORKSPACE": str(workspace),
        "E2E_ARTIFACTS": str(artifacts),
        "E2E_PYTHON": str(ROOT / ".venv" / "bin" / "python"),
        "E2E_TASK": TASK,
        "E2E_VSIX": str(vsix),
        "E2E_MODEL": "openai/scripted",
        "E2E_API_BASE": "http://127.0.0.1:9/v1",
        "OPENAI_API_KEY": "sk-scripted",
        **extra,
    }
    proc = subprocess.run(
        ["node", str(EXTENSION / "e2e" / "run.mjs")], env=env, capture_output=True, text=True, timeout=280
    )
    assert proc.returncode == 0, f"{proc.stderr}\n(screenshots and code-server.log in {artifacts})"
    assert not any("failure" in p.name for p in artifacts.glob("*.png"))
    summary: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return summary


def test_panel_task_with_approved_edit_denied_command_and_verified_trace(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    (workspace / "hello.txt").write_text("hello\n")
    _git(workspace, "init", "-q")
    _git(workspace, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init", "--allow-empty")
    model_server.add(*_script())

    summary = _drive("task", workspace, ARTIFACTS, E2E_API_BASE=model_server.base_url)
    assert "intact" in summary["verdict"]
    assert "tampered" in summary["tampered"] or "damaged" in summary["tampered"]

    # What the panel showed is also what happened on disk and what the model was told.
    assert (workspace / "hello.txt").read_text() == "hello, world\n"
    assert not (workspace / "command-ran.txt").exists()
    assert not (workspace / "stopped.txt").exists()
    bodies = [r.body for r in model_server.chat_requests]
    assert len(bodies) == 6
    tool_answers = [m["content"] for m in bodies[3]["messages"] if m["role"] == "tool"]
    assert "denied" in tool_answers[-1].lower()
    # The follow-up reached the model inside the same conversation.
    followed_up = bodies[4]["messages"]
    assert any(m["role"] == "user" and "Anything else to change?" in str(m["content"]) for m in followed_up)
    assert any(m["role"] == "tool" and "denied" in str(m["content"]).lower() for m in followed_up)
    assert len(list(ARTIFACTS.glob("*.png"))) >= 13


def test_missing_interpreter_is_explained_with_an_action_that_fixes_it(workspace: Path) -> None:
    summary = _drive("missing-python", workspace, ARTIFACTS.with_name("extension-e2e-missing-python"))
    assert "no Python interpreter" in summary["panel"]
    assert "Create environment and install" in summary["notification"]


@pytest.mark.parametrize("locale", ["ja", "fr"])
def test_the_extension_speaks_the_display_language(
    model_server: ScriptedModelServer, workspace: Path, locale: str
) -> None:
    """code-server --locale ja / fr: the panel, an approval, the Traces view, Verify and the report read the
    extension's translations; the model is told to reply in that language (see extension/e2e/run.mjs for why
    a language pack without translations is installed: VS Code's own UI stays English)."""
    (workspace / "hello.txt").write_text("hello\n")
    _git(workspace, "init", "-q")
    model_server.add(*_script()[:4])
    artifacts = ARTIFACTS.with_name(f"extension-e2e-{locale}")

    summary = _drive("locale", workspace, artifacts, E2E_API_BASE=model_server.base_url, E2E_LOCALE=locale)
    bundle = json.loads((EXTENSION / "l10n" / f"bundle.l10n.{locale}.json").read_text(encoding="utf-8"))
    assert summary["language"] == locale
    assert summary["startLabel"] == bundle["Start task"] != "Start task"
    assert summary["labels"][:2] == [bundle["Approve"], bundle["Deny"]]
    assert bundle["intact"] in summary["verdict"]
    report: dict[str, str] = summary["report"]
    assert report["lang"] == locale and report["heading"] != "Changes"
    assert (workspace / "hello.txt").read_text() == "hello, world\n"
    assert not (workspace / "command-ran.txt").exists()
    language = {"ja": "Japanese (日本語)", "fr": "French (français)"}[locale]
    system = model_server.chat_requests[0].body["messages"][0]["content"]
    assert f"Reply to the user in {language}" in system
    shots = sorted(p.name for p in artifacts.glob("*.png"))
    assert [name.split("-", 1)[1] for name in shots] == [
        f"{locale}-panel.png",
        f"{locale}-approval.png",
        f"{locale}-task-completed.png",
        f"{locale}-traces-view-verified.png",
        f"{locale}-trace-report.png",
    ]
