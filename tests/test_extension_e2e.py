"""The VS Code extension in a real VS Code (code-server), driven through Chromium against the scripted model.

The model proposes a read, an edit and a command; the driver (extension/e2e/run.mjs) approves the edit in
the panel, denies the command, and verifies the trace from the Traces view. Screenshots of every step go
to test-artifacts/extension-e2e/. Runs when FLAMBEAU_E2E=1 (`make extension-e2e`, part of `make test`),
which first builds the .vsix and installs code-server into extension/.e2e-cache.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.mcp_config import write_user_servers, write_workspace_servers
from tests.mcp_servers import everything_stdio, time_stdio
from tests.provider_servers import OllamaServer
from tests.scripted_server import Reply, ScriptedModelServer, call

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "extension"
ARTIFACTS = ROOT / "test-artifacts" / "extension-e2e"
TASK = "Make the greeting in hello.txt say hello, world"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
"""The image extension/e2e/listens.mjs pastes."""

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


def _drive(scenario: str, workspace: Path, artifacts: Path, timeout_s: float = 280, **extra: str) -> dict[str, Any]:
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
        ["node", str(EXTENSION / "e2e" / "run.mjs")], env=env, capture_output=True, text=True, timeout=timeout_s
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


def _user_content(body: dict[str, Any]) -> Any:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def test_the_panel_listens_mentions_add_to_flambeau_question_edited_proposal_denial_reason_and_images(
    model_server: ScriptedModelServer, workspace: Path, tmp_path: Path
) -> None:
    """extension/e2e/listens.mjs drives the panel; here: what reached the model and the disk."""
    (workspace / "hello.txt").write_text("hello\n")
    (workspace / "app.py").write_text("def greet():\n    return 'hello'\n")
    _git(workspace, "init", "-q")
    _git(workspace, "add", ".")
    _git(workspace, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")
    (workspace / "app.py").write_text("def greet():\n    return 'hello'\n\n\ndef part():\n    return 'bye'\n")
    (workspace / "broken.json").write_text('{"a": 1,}\n')
    config = tmp_path / "home" / ".config" / "flambeau"
    config.mkdir(parents=True, exist_ok=True)
    (config / "models.toml").write_text(
        f'[profiles.seeing]\nmodel = "openai/scripted"\napi_base = "{model_server.base_url}"\nvision = true\n'
        f'[profiles.blind]\nmodel = "openai/scripted"\napi_base = "{model_server.base_url}"\n'
    )
    model_server.add(
        call(
            "ask_followup_question",
            question="Should the greeting keep its comma?",
            suggestions=["Keep the comma", "Drop the comma"],
        ),
        call("write_file", path="hello.txt", content="hello, world\n"),
        call("run_command", command="touch denied.txt"),
        call("attempt_completion", result="Updated the greeting."),
        call("attempt_completion", result="A single pixel."),
    )
    artifacts = ARTIFACTS.with_name("extension-e2e-listens")

    summary = _drive(
        "listens", workspace, artifacts, timeout_s=600, E2E_MODEL="seeing", E2E_API_BASE=model_server.base_url
    )
    assert "@nowhere/missing.py" in summary["refused"] and "does not exist" in summary["refused"]
    assert "does not declare vision" in summary["visionRefusal"] and "vision = true" in summary["visionRefusal"]

    bodies = [r.body for r in model_server.chat_requests]
    assert len(bodies) == 5  # the refused image never reached the model
    # The mentions typed and added from the explorer, the selection menu and the quick fix: in the first request.
    first = _user_content(bodies[0])
    assert isinstance(first, str)
    blocks = {block.split('"', 1)[0]: block for block in first.split('<attachment mention="')[1:]}
    mentions = [
        "@hello.txt",
        "@git-changes",
        "@app.py",
        "@app.py:2",
        "@broken.json:1",
        "@problems",
        "@selection",
        "@terminal",
    ]
    assert list(blocks) == mentions
    assert "def part():" in blocks["@git-changes"]  # the working-tree diff
    assert "Trailing comma" in first.split("<attachment")[0]  # the problem's message, in the task's text
    assert "broken.json:1" in blocks["@problems"] and "Trailing comma" in blocks["@problems"]  # the diagnostics
    assert "broken.json" in blocks["@selection"]  # the quick fix selected the comma
    assert "sleep 1; echo flambeau-$((6*7))" in blocks["@terminal"] and "flambeau-42" in blocks["@terminal"]
    tools = [m for m in bodies[1]["messages"] if m["role"] == "tool"]
    assert "Keep the comma" in tools[-1]["content"]
    # The edited proposal is what was written, and the model was told.
    assert (workspace / "hello.txt").read_text() == "hello, edited world"
    edit_answer = [m for m in bodies[2]["messages"] if m["role"] == "tool"][-1]["content"]
    assert "The user edited your proposed change before approving it" in edit_answer
    # The denial's reason reached the model; the command never ran.
    denial = [m for m in bodies[3]["messages"] if m["role"] == "tool"][-1]["content"]
    assert "use the Makefile target instead" in denial
    assert not (workspace / "denied.txt").exists()
    # The pasted image went as an image content part.
    image_task = _user_content(bodies[4])
    assert isinstance(image_task, list)
    urls = [p["image_url"]["url"] for p in image_task if p.get("type") == "image_url"]
    assert urls == [f"data:image/png;base64,{PNG}"]
    shots = {p.name.split("-", 1)[1] for p in artifacts.glob("*.png")}
    assert {
        "mention-autocomplete.png",
        "mention-chips.png",
        "question-asked.png",
        "proposal-edited-in-diff.png",
        "command-denied-with-reason.png",
        "image-sent.png",
        "image-refused-without-vision.png",
    } <= shots


CLOUD_KEY = "sk-e2e-models-view-7f3a9c2e51d04b86"
FITNESS_SCRIPT = [
    Reply(text="OK"),
    call("run_command", command="echo fitness-check-ok"),
    call("attempt_completion", result="ran"),
    call("write_file", path="hello.txt", content="Hello\n"),
    call("attempt_completion", result="created"),
    Reply(text="I am not sure what to do."),
    Reply(text="Still unsure."),
    Reply(text="Giving up."),
]


def _as_text_call(name: str, **arguments: object) -> Reply:
    return Reply(text=f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>")


def _holding(root: Path, secret: str) -> list[Path]:
    forms = (secret.encode(), base64.b64encode(secret.encode()), secret.encode("utf-16-le"))
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return [p for p in files if any(f in p.read_bytes() for f in forms)]


def test_models_view_from_first_run_to_escalation_consent(
    model_server: ScriptedModelServer, workspace: Path, tmp_path: Path
) -> None:
    """The Models view in code-server: engines found on loopback (a fake Ollama and an OpenAI-shaped
    llama.cpp server) on a first run, a task on the detected model, a cloud profile added with its key,
    its fitness check, roles, escalation, local-only, an edit, a restart; then the escalation consent in
    the chat panel, accepted (the cloud server gets the task) and refused (it carries on locally)."""
    _git(workspace, "init", "-q")
    artifacts = ARTIFACTS.with_name("extension-e2e-models")
    with OllamaServer() as ollama, ScriptedModelServer() as cloud:
        model_server.add(
            call("attempt_completion", result="hello from the detected model"),
            *[Reply(text="hmm, maybe?") for _ in range(3)],  # text mode now: three unusable calls
            *[Reply(text="still not sure") for _ in range(3)],
            _as_text_call("attempt_completion", result="carried on locally"),
        )
        cloud.add(*FITNESS_SCRIPT, call("attempt_completion", result="done by the cloud model"))
        ports = f"ollama={ollama.port},llamacpp={model_server.port},lmstudio=9,vllm=9"
        summary = _drive(
            "models",
            workspace,
            artifacts,
            timeout_s=600,
            E2E_API_BASE="",
            E2E_MODEL="",
            E2E_TIMEOUT_MS="90000",
            FLAMBEAU_ENGINE_PORTS=ports,
            E2E_CLOUD_BASE=cloud.base_url,
            E2E_CLOUD_KEY=CLOUD_KEY,
        )
        assert ollama.chat_requests == []
        cloud_bodies = [r.body for r in cloud.chat_requests]
    local_bodies = [r.body for r in model_server.chat_requests]

    assert summary["ways"] == ["The embedded model", "A local engine on this machine", "A cloud provider"]
    assert summary["listed"] > 10 and "correct edits 1/2" in summary["figures"]
    assert summary["items"] == 3 and summary["cloudResult"].strip() == "done by the cloud model"
    assert summary["localResult"].strip() == "carried on locally" and "nothing was sent" in summary["refusal"]
    # The task on the detected model reached its engine; the cloud got the fitness check and one task only.
    assert local_bodies[0]["model"] == "scripted-model" and len(local_bodies) == 8
    assert len(cloud_bodies) == len(FITNESS_SCRIPT) + 1
    assert "could not finish this task" in json.dumps(cloud_bodies[-1]["messages"])
    assert "Fix the farewell" not in json.dumps(cloud_bodies) and "Carry on here" in json.dumps(local_bodies[-1])
    # What the view wrote is in the user's file; the key is not, nor anywhere else but the keyring backend.
    text = summary["userFile"]
    for line in (
        'default = "llamacpp-scripted-model"',
        'escalate_to = "work"',
        'commit = "ollama-qwen2.5-coder-7b"',
        'summarise = "work"',
        'locality = "cloud"',
        'tool_mode = "text"',
    ):
        assert line in text, text
    assert "local_only" not in text
    keyring = Path(os.environ["XDG_DATA_HOME"]) / "python_keyring"
    held = _holding(tmp_path, CLOUD_KEY) + _holding(artifacts, CLOUD_KEY)
    assert held and all(keyring in p.parents for p in held), held
    # Both decisions are in the traces, by the user.
    records = [
        json.loads(line)
        for path in (workspace / ".flambeau" / "traces").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    decisions = [(r["approved"], r["by"]) for r in records if r["kind"] == "approval" and r["tool"] == "escalate_model"]
    assert sorted(decisions) == [(False, "user"), (True, "user")]
    assert len([p for p in artifacts.glob("*.png")]) == 10


def test_history_survives_a_window_reload_and_a_past_task_is_resumed(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    """extension/e2e/history.mjs: a task, a window reload, the History, the past conversation, a resume."""
    (workspace / "notes.txt").write_text("the secret word is plover\n")
    model_server.add(
        Reply(text="Reading the notes.", tool_calls=[("read_file", {"path": "notes.txt"})]),
        call("attempt_completion", result="The notes name a bird."),
        call("attempt_completion", result="It was a plover."),
    )
    artifacts = ARTIFACTS.with_name("extension-e2e-history")

    summary = _drive("history", workspace, artifacts, timeout_s=400, E2E_API_BASE=model_server.base_url)

    assert "The notes name a bird." in summary["opened"]
    assert summary["sections"] == 1, "the resumed task is shown in the past task's place"
    assert summary["users"] == ["What do the notes say?", "Which bird exactly?"]
    bodies = [r.body for r in model_server.chat_requests]
    assert len(bodies) == 3
    resumed = bodies[2]["messages"]
    assert resumed[1] == {"role": "user", "content": "What do the notes say?"}
    assert any(m.get("content") == "the secret word is plover\n" for m in resumed if m["role"] == "tool")
    assert resumed[-1] == {"role": "user", "content": "Which bird exactly?"}
    headers = [
        json.loads(path.read_text().splitlines()[0]) for path in (workspace / ".flambeau" / "traces").glob("*.jsonl")
    ]
    continued = [h["continues"]["task_id"] for h in headers if "continues" in h]
    assert len(headers) == 2 and continued == [next(h["task_id"] for h in headers if "continues" not in h)]
    assert len(list(artifacts.glob("*.png"))) == 5


def test_an_mcp_server_trusted_in_the_panel_and_its_tool_call_approved_in_a_card(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    """extension/e2e/mcp.mjs: the workspace's .mcp.json server untrusted, trusted in the MCP view, its tool
    called by the model, shown as a card and approved; its result reaches the model; the trace verifies; a
    prompt of the user's own server as a slash command."""
    write_workspace_servers(workspace, {"clock": time_stdio()})
    write_user_servers({"every": everything_stdio()})
    model_server.add(
        call("mcp__clock__get_current_time", timezone="Asia/Tokyo"),
        call("attempt_completion", result="It is evening in Tokyo."),
    )
    artifacts = ARTIFACTS.with_name("extension-e2e-mcp")

    summary = _drive("mcp", workspace, artifacts, timeout_s=400, E2E_API_BASE=model_server.base_url)

    assert summary["untrusted"] == "not trusted" and summary["trusted"] == "running · 2 tools"
    assert "python" in summary["prompt"] and "-m mcp_server_time" in summary["prompt"]
    assert summary["shown"]["arguments"] == {"timezone": "Asia/Tokyo"}
    assert "It is evening in Tokyo." in summary["result"]
    assert "/every:args-prompt" in summary["offered"] and summary["composed"] == "What's weather in Lyon?"
    assert "intact" in summary["verdict"]
    bodies = [r.body for r in model_server.chat_requests]
    assert len(bodies) == 2
    offered = {t["function"]["name"] for t in bodies[0]["tools"]}
    assert {"mcp__clock__get_current_time", "mcp__clock__convert_time", "mcp__every__echo"} <= offered
    answer = next(m for m in bodies[1]["messages"] if m["role"] == "tool")
    assert json.loads(answer["content"])["timezone"] == "Asia/Tokyo"
    (trace,) = (workspace / ".flambeau" / "traces").glob("*.jsonl")
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    decided = [(r["tool"], r["approved"], r["by"]) for r in records if r.get("kind") == "approval"]
    assert ("mcp__clock__get_current_time", True, "user") in decided
    result = next(r for r in records if r.get("kind") == "tool_result" and r["tool"] == "mcp__clock__get_current_time")
    assert result["data"]["mcp"]["name"] == "clock" and result["data"]["mcp"]["server_info"]["name"] == "mcp-time"
    assert len(list(artifacts.glob("*.png"))) == 9


def test_checkpoints_restore_and_compare_from_the_chat_and_modes_change_a_running_task(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    """extension/e2e/checkpoints.mjs: the approval menu and Plan/Act switch a running task; Compare, Restore
    files (and its confirmation), Restore both and Restore task from the chat."""
    from agent.trace import verify

    (workspace / "a.txt").write_text("zero\n")
    model_server.add(
        call("write_file", path="a.txt", content="one\n"),
        Reply(
            tool_calls=[
                ("write_file", {"path": "a.txt", "content": "two\n"}),
                ("write_file", {"path": "b.txt", "content": "bee\n"}),
            ]
        ),
        call("run_command", command="touch command-ran.txt"),
        call("write_file", path="c.txt", content="sea\n"),
        call("attempt_completion", result="Counted."),
        call("attempt_completion", result="From one again."),
        call("attempt_completion", result="From zero again."),
    )
    artifacts = ARTIFACTS.with_name("extension-e2e-checkpoints")

    summary = _drive("checkpoints", workspace, artifacts, timeout_s=400, E2E_API_BASE=model_server.base_url)

    assert summary["labels"] == ["Checkpoint before step 1", "Checkpoint before step 2", "Checkpoint before step 3"]
    assert "a.txt" in summary["compared"] and "b.txt" in summary["compared"]
    assert summary["named"] == ["notes.md"]
    assert (summary["a"], summary["b"]) == ("zero\n", None)  # the last restore, after the reload
    assert not (workspace / "command-ran.txt").exists() and not (workspace / "c.txt").exists()
    bodies = [r.body["messages"] for r in model_server.chat_requests]
    assert len(bodies) == 7
    task = {"role": "user", "content": "Count in the files"}
    after_both = bodies[5]
    assert after_both[1] == task and after_both[2]["role"] == "assistant" and after_both[3]["role"] == "tool"
    assert json.loads(after_both[2]["tool_calls"][0]["function"]["arguments"])["content"] == "one\n"
    assert after_both[4:] == [{"role": "user", "content": "Again from one."}]
    assert bodies[6][1:] == [task, {"role": "user", "content": "Again from zero."}]
    [trace] = (workspace / ".flambeau" / "traces").glob("*.jsonl")
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    events = [(r["event_type"], r["data"]) for r in records if r["kind"] == "event"]
    restores = [(d["what"], d["step"], d["overwritten"]) for kind, d in events if kind == "checkpoint_restored"]
    assert restores == [
        ("files", 2, []),
        ("files", 1, ["notes.md"]),
        ("both", 2, []),
        ("task", 1, []),
        ("files", 1, []),
    ]
    modes = [(d["plan"], d["approval_mode"]) for kind, d in events if kind == "mode_changed"]
    assert modes == [(False, "auto-edit"), (True, "auto-edit"), (False, "auto-edit")]
    decisions = [(r["tool"], r["approved"], r["by"]) for r in records if r["kind"] == "approval"]
    assert decisions[:3] == [("write_file", True, "user"), ("write_file", True, "auto"), ("write_file", True, "auto")]
    assert decisions[3] == ("run_command", True, "user") and decisions[4][:2] == ("write_file", False)
    assert verify(trace).status == "intact"
    assert len(list(artifacts.glob("*.png"))) == 8


def test_the_context_bar_moves_condense_now_and_a_commit_message_from_source_control(
    model_server: ScriptedModelServer, workspace: Path, tmp_path: Path
) -> None:
    """extension/e2e/context.mjs: the bar after each call, Condense now by the summarise role on its own server,
    a follow-up from the summary, and Generate Commit Message by the commit role on its own server."""
    (workspace / "hello.txt").write_text("hello\n")
    (workspace / ".gitignore").write_text(".flambeau/\n")
    _git(workspace, "init", "-q", "-b", "main")
    _git(workspace, "add", ".")
    _git(workspace, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")
    (workspace / "hello.txt").write_text("hello, world\n")
    _git(workspace, "add", "hello.txt")
    model_server.add(
        Reply(text="Writing the first note.", tool_calls=[("write_file", {"path": "a.txt", "content": "first\n"})]),
        call("write_file", path="b.txt", content="second note, a little longer than the first\n"),
        call("attempt_completion", result="Wrote both notes."),
        call("attempt_completion", result="Nothing else."),
    )
    with ScriptedModelServer() as summariser, ScriptedModelServer() as committer:
        summariser.add(Reply(text="CONDENSED: a.txt and b.txt were written."))
        committer.add(Reply(text="Greet the world in hello.txt"))
        config = tmp_path / "home" / ".config" / "flambeau"
        config.mkdir(parents=True, exist_ok=True)
        (config / "models.toml").write_text(
            '[roles]\nsummarise = "summ"\ncommit = "committer"\n\n'
            f'[profiles.summ]\nmodel = "openai/summ"\napi_base = "{summariser.base_url}"\n\n'
            f'[profiles.committer]\nmodel = "openai/committer"\napi_base = "{committer.base_url}"\n'
        )
        artifacts = ARTIFACTS.with_name("extension-e2e-context")

        summary = _drive("context", workspace, artifacts, timeout_s=500, E2E_API_BASE=model_server.base_url)

        first, second, third = summary["used"]
        assert 0 < first < second < third, summary["used"]
        assert summary["after"] < third and summary["afterFollowUp"] > 0
        assert "Context:" in summary["label"] and "Tool schemas:" in summary["tooltip"]
        assert summary["condensed"]["title"] == "Condensed turns 1-2"
        assert summary["condensed"]["summary"] == "CONDENSED: a.txt and b.txt were written."
        assert summary["message"].strip() == "Greet the world in hello.txt"
        assert len(summariser.chat_requests) == 1
        assert "first" in json.dumps(summariser.chat_requests[0].body)
        bodies = [r.body for r in model_server.chat_requests]
        assert len(bodies) == 4
        last = bodies[3]["messages"]
        assert last[2]["content"].startswith("[Summary of turns 1-2 ") and "CONDENSED" in last[2]["content"]
        assert not any(m.get("tool_calls") and m["tool_calls"][0]["function"]["name"] == "write_file" for m in last)
        assert last[-1] == {"role": "user", "content": "Anything else?"}
        assert len(committer.chat_requests) == 1
        diff = committer.chat_requests[0].body["messages"][1]["content"]
        assert "+hello, world" in diff and "a.txt" not in diff
    assert len(list(artifacts.glob("*.png"))) == 7
