"""ask_followup_question in every front end: the CLI on a terminal and without one, the LSP through
`flambeau/ask` and through `window/showMessageRequest`; questions and answers land in the trace."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from agent.trace import list_traces, verify
from agent.trace.reading import read_trace
from tests.conftest import FLAMBEAU, ROOT, run_scripted_cli
from tests.lsp_harness import Editor
from tests.scripted_server import ScriptedModelServer, call
from tests.test_lsp_tasks import run_editor, tool_messages
from tools.question import NO_ANSWER

CLI_TIMEOUT_S = 600
"""A whole `flambeau run` (the agent's imports included) on the shared, loaded test machine."""
PROMPT_ENDINGS = (b"Enter for none):", b"Enter to skip):", b"[a]lways:")
"""How the terminal's prompts end: the question, the reason for a denial, the approval."""
QUESTION = {"question": "Tabs or spaces?", "suggestions": ["Tabs", "Spaces"]}


def _trace_records(workspace: Path) -> list[dict[str, Any]]:
    [trace] = list_traces(workspace)
    assert verify(trace.path, replay=True).status == "intact"
    return [r for r in read_trace(trace.path).records if r is not None]


def _questions_and_answers(workspace: Path) -> list[tuple[str, Any]]:
    return [
        (r["kind"], r.get("question") or r.get("answer") or r.get("by"))
        for r in _trace_records(workspace)
        if r["kind"] in ("question", "answer")
    ]


def test_cli_without_a_terminal_answers_that_no_answer_is_available(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(call("ask_followup_question", **QUESTION), call("attempt_completion", result="used spaces"))
    result = run_scripted_cli(model_server, workspace, "--json", "Indent the file", stdin="", timeout=CLI_TIMEOUT_S)
    assert result.code == 0, result.stderr
    assert tool_messages(model_server, 1)[-1] == NO_ANSWER
    assert NO_ANSWER == "no answer is available; decide yourself and say what you assumed"
    answered = next(e for e in result.events() if e["type"] == "question_answered")
    assert answered["answer"] is None and answered["by"] == "nobody"
    asked = next(e for e in result.events() if e["type"] == "question_asked")
    assert asked["question"] == "Tabs or spaces?" and asked["suggestions"] == ["Tabs", "Spaces"]
    assert _questions_and_answers(workspace) == [("question", "Tabs or spaces?"), ("answer", "nobody")]


def _run_on_a_terminal(server: ScriptedModelServer, workspace: Path, task: str, replies: list[str]) -> str:
    """`flambeau run` with a pseudo-terminal as stdin; each prompt on stderr gets the next reply."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["run", "--workspace", str(workspace), "--model", "openai/scripted", "--api-base", server.base_url, task]
    proc = subprocess.Popen([*FLAMBEAU, *args], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    assert proc.stderr is not None
    seen, pending = b"", list(replies)
    deadline = time.monotonic() + CLI_TIMEOUT_S
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 0.5)
            if ready:
                seen += os.read(proc.stderr.fileno(), 65536)
            if pending and seen.rstrip().endswith(PROMPT_ENDINGS):
                os.write(master, (pending.pop(0) + "\n").encode())
                seen += b"\n"
        proc.wait(30)
        seen += proc.stderr.read()
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, seen.decode()
    return seen.decode()


def test_cli_on_a_terminal_asks_offers_the_suggestions_and_takes_a_denial_reason(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.add(
        call("ask_followup_question", **QUESTION),
        call("run_command", command="touch denied.txt"),
        call("attempt_completion", result="used tabs"),
    )
    shown = _run_on_a_terminal(model_server, workspace, "Indent the file", ["1", "n", "use make instead"])
    assert "? Tabs or spaces?" in shown and "1. Tabs" in shown and "2. Spaces" in shown
    assert tool_messages(model_server, 1)[-1] == "The user answered: Tabs"
    assert tool_messages(model_server, 2)[-1] == (
        "Not run: the user denied this on the terminal, saying: use make instead"
    )
    assert not (workspace / "denied.txt").exists()
    assert _questions_and_answers(workspace) == [("question", "Tabs or spaces?"), ("answer", "Tabs")]


def test_lsp_client_with_questions_answers_through_flambeau_ask(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(call("ask_followup_question", **QUESTION), call("attempt_completion", result="used tabs"))

    async def scenario(editor: Editor) -> None:
        editor.question_answers = ["Tabs, 4 wide"]
        task_id = await editor.start_task("Indent the file")
        end = await editor.wait_for_end(task_id)
        assert end["outcome"] == "completed", end
        [request] = editor.question_requests
        assert request["taskId"] == task_id and request["event"]["type"] == "question_asked"
        assert request["event"]["suggestions"] == ["Tabs", "Spaces"]
        assert editor.events_of(task_id, "question_asked") == [], "delivered once, as the request"
        [answered] = editor.events_of(task_id, "question_answered")
        assert (answered["answer"], answered["by"]) == ("Tabs, 4 wide", "user")

    run_editor(workspace, model_server, scenario, questions=True)
    assert tool_messages(model_server, 1)[-1] == "The user answered: Tabs, 4 wide"
    assert _questions_and_answers(workspace) == [("question", "Tabs or spaces?"), ("answer", "Tabs, 4 wide")]


def test_a_plain_lsp_client_gets_the_question_as_show_message_request(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(call("ask_followup_question", **QUESTION), call("attempt_completion", result="used spaces"))

    async def scenario(editor: Editor) -> None:
        editor.message_answer = "Spaces"
        task_id = await editor.start_task("Indent the file")
        await editor.wait_for_end(task_id)
        [request] = editor.message_requests
        assert request.message == "Flambeau asks: Tabs or spaces?"
        assert [a.title for a in request.actions or []] == ["Tabs", "Spaces"]
        assert [e["question"] for e in editor.events_of(task_id, "question_asked")] == ["Tabs or spaces?"]

    run_editor(workspace, model_server, scenario, approvals=False)
    assert tool_messages(model_server, 1)[-1] == "The user answered: Spaces"
