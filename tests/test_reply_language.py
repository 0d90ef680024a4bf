"""The model answers in the user's language: the extension passes VS Code's display language (or the
`flambeau.replyLanguage` setting) as `replyLanguage`, the CLI takes `--reply-language`, and the system prompt
the model receives over HTTP says which language to reply in."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from prompts import render_system_prompt
from prompts.languages import language_name
from tests.conftest import run_scripted_cli
from tests.lsp_harness import start_editor, stop_editor
from tests.scripted_server import ScriptedModelServer, call


def system_prompt(server: ScriptedModelServer) -> str:
    content: str = server.chat_requests[0].body["messages"][0]["content"]
    return content


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("ja", "Japanese (日本語)"),
        ("zh-cn", "Simplified Chinese (简体中文)"),
        ("fr-CA", "French (français)"),
        ("Deutsch", "Deutsch"),
    ],
)
def test_a_code_is_named_for_the_model_and_a_name_is_kept(language: str, name: str) -> None:
    assert language_name(language) == name
    prompt = render_system_prompt(compact=True, workspace=".", rules="", reply_language=language)
    assert f"Reply to the user in {name}" in prompt


@pytest.mark.parametrize("language", [None, "", "en", "en-US"])
def test_english_adds_nothing_to_the_prompt(language: str | None) -> None:
    plain = render_system_prompt(compact=True, workspace=".", rules="")
    assert render_system_prompt(compact=True, workspace=".", rules="", reply_language=language) == plain


def test_the_editor_s_reply_language_reaches_the_model_and_the_trace(
    workspace: Path, model_server: ScriptedModelServer
) -> None:
    model_server.add(call("attempt_completion", result="Fait."))

    async def main() -> None:
        init = {"model": "openai/scripted", "apiBase": model_server.base_url, "replyLanguage": "fr"}
        editor, _ = await start_editor(workspace, workspace.parent / "server.log", init_options=init)
        try:
            task_id = await editor.start_task("Dis bonjour")
            end = await editor.wait_for_end(task_id)
            assert end["outcome"] == "completed", end
        finally:
            await stop_editor(editor)

    asyncio.run(main())
    assert "Reply to the user in French (français)" in system_prompt(model_server)
    [trace] = (workspace / ".flambeau" / "traces").glob("*.jsonl")
    start = next(r for r in map(json.loads, trace.read_text().splitlines()) if r["kind"] == "task_start")
    assert start["config"]["extra"]["reply_language"] == "fr"


def test_the_cli_takes_reply_language(workspace: Path, model_server: ScriptedModelServer) -> None:
    model_server.add(call("attempt_completion", result="완료"))
    result = run_scripted_cli(model_server, workspace, "--reply-language", "ko", "--approve", "auto-all", "Say hi")
    assert result.code == 0, result.stderr
    assert "Reply to the user in Korean (한국어)" in system_prompt(model_server)
