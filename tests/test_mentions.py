"""@-mentions: found in the task's text, resolved with the tools' rules, attached to the first request
(before any tool call), recorded in the trace, and held to the cloud egress rules like tool output."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agent.attachments import EditorContext, MentionError
from agent.attachments.mentions import find_mentions
from agent.attachments.resolve import resolve_mentions
from agent.trace import list_traces, verify
from agent.trace.packs import TraceBlobs
from agent.trace.reading import read_trace
from tests.conftest import run_scripted_cli
from tests.scripted_server import ScriptedModelServer, call


def _git(workspace: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=workspace,
        check=True,
        capture_output=True,
    )


def _repository(workspace: Path) -> None:
    (workspace / "app.py").write_text("def greet():\n    return 'hello'\n")
    (workspace / "notes.md").write_text("old notes\n")
    _git(workspace, "init", "-q")
    _git(workspace, "add", ".")
    _git(workspace, "commit", "-qm", "init")
    (workspace / "notes.md").write_text("new notes, changed in the working tree\n")


def _first_user_message(server: ScriptedModelServer) -> str:
    messages = server.chat_requests[0].body["messages"]
    user = [m for m in messages if m["role"] == "user"]
    content = user[0]["content"]
    return content if isinstance(content, str) else "\n".join(p.get("text", "") for p in content)


def test_mentions_are_words_that_look_like_paths_or_keywords() -> None:
    found = find_mentions(
        'See @src/ and @"my file.txt", then (@lib/a.py:3-9), @git-changes. Not user@example.com, '
        "@property or `@kept.py`.",
    )
    assert [(m.written, m.target, m.start_line, m.end_line) for m in found] == [
        ("@src/", "src/", None, None),
        ('@"my file.txt"', "my file.txt", None, None),
        ("@lib/a.py:3-9", "lib/a.py", 3, 9),
        ("@git-changes", "git-changes", None, None),
    ]
    assert [m.target for m in find_mentions("fix @Makefile", lambda path: path == "Makefile")] == ["Makefile"]


def test_cli_sends_the_file_and_the_diff_in_the_first_request_before_any_tool_call(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    _repository(workspace)
    model_server.add(call("attempt_completion", result="greet returns hello; notes.md changed."))
    result = run_scripted_cli(model_server, workspace, "--json", "Explain @app.py and @git-changes")
    assert result.code == 0, result.stderr

    first = model_server.chat_requests[0].body["messages"]
    assert not any(m["role"] in ("tool", "assistant") for m in first), "nothing ran before the first request"
    text = _first_user_message(model_server)
    assert text.startswith("Explain @app.py and @git-changes")
    assert '<attachment mention="@app.py" kind="file">\ndef greet():\n    return \'hello\'\n' in text
    assert '<attachment mention="@git-changes" kind="git_changes">' in text
    assert "+new notes, changed in the working tree" in text and "-old notes" in text and " M notes.md" in text

    events = result.events()
    kinds = [e["type"] for e in events]
    assert kinds.index("context_attached") < kinds.index("tool_call_proposed")
    attached = next(e for e in events if e["type"] == "context_attached")
    assert [(i["mention"], i["kind"], i["label"]) for i in attached["items"]] == [
        ("@app.py", "file", "app.py"),
        ("@git-changes", "git_changes", "git changes"),
    ]
    assert all(i["tokens"] > 0 and not i["withheld"] for i in attached["items"])
    assert "contents" not in attached, "attached contents stay off the wire"

    [trace] = list_traces(workspace)
    assert verify(trace.path, replay=True).status == "intact"
    records = [r for r in read_trace(trace.path).records if r is not None]
    kinds = [r["kind"] for r in records]
    assert kinds.index("context_attached") < kinds.index("model_request") < kinds.index("tool_call")
    record = records[kinds.index("context_attached")]
    assert [i["mention"] for i in record["items"]] == ["@app.py", "@git-changes"]
    blobs = TraceBlobs(trace.path)
    assert blobs.get(record["items"][0]["content_blob"]) == b"def greet():\n    return 'hello'\n"


def test_an_unresolvable_mention_is_named_and_no_task_starts(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    result = run_scripted_cli(model_server, workspace, "Explain @missing.py and @selection")
    assert result.code == 2
    assert "@missing.py: missing.py does not exist" in result.stderr
    assert "@selection: it is only available in the editor" in result.stderr
    assert "backticks" in result.stderr
    assert model_server.chat_requests == [] and list_traces(workspace) == []


def test_a_mention_in_backticks_is_sent_as_text(model_server: ScriptedModelServer, workspace: Path) -> None:
    model_server.add(call("attempt_completion", result="ok"))
    result = run_scripted_cli(model_server, workspace, "--json", "What does `@missing.py` mean?")
    assert result.code == 0, result.stderr
    assert _first_user_message(model_server) == "What does `@missing.py` mean?"


def test_folders_line_ranges_and_the_editors_mentions_resolve(workspace: Path) -> None:
    (workspace / "src").mkdir()
    (workspace / "src" / "a.py").write_text("one\ntwo\nthree\n")
    (workspace / "src" / "b.py").write_text("b\n")
    editor = EditorContext.from_wire(
        {
            "problems": [{"path": "src/a.py", "line": 2, "severity": "error", "message": "bad two", "source": "lint"}],
            "selection": {"path": "src/b.py", "startLine": 1, "endLine": 1, "text": "b"},
            "terminal": {"commandLine": "make test", "output": "1 failed\n", "exitCode": 2},
        }
    )
    found = asyncio.run(resolve_mentions("@src/ @src/a.py:2-3 @problems @selection @terminal", workspace, editor))
    by_kind = {a.kind: a for a in found}
    assert by_kind["folder"].text.splitlines() == ["src/a.py", "src/b.py"]
    assert by_kind["file"].label == "src/a.py:2-3" and by_kind["file"].text.endswith("two\nthree\n")
    assert by_kind["problems"].text == "src/a.py:2: error: bad two [lint]"
    assert by_kind["selection"].text == "[src/b.py:1]\nb"
    assert by_kind["terminal"].text == "$ make test (exit code 2)\n1 failed\n"


def test_editor_mentions_without_what_they_need_fail_with_the_reason(workspace: Path) -> None:
    with pytest.raises(MentionError) as error:
        asyncio.run(resolve_mentions("@terminal and @selection", workspace, EditorContext()))
    message = str(error.value)
    assert "@terminal: the editor sent no terminal output" in message
    assert "@selection: the editor sent no selection" in message
    with pytest.raises(MentionError, match="outside the workspace"):
        asyncio.run(resolve_mentions("@../secret.txt", workspace))


def _cloud_profile(home: Path, server: ScriptedModelServer, **extra: Any) -> None:
    config = home / ".config" / "flambeau"
    config.mkdir(parents=True, exist_ok=True)
    lines = [
        'never_to_cloud = ["secrets/**"]',
        "[profiles.remote]",
        'model = "openai/scripted"',
        f'api_base = "{server.base_url}"',
        'locality = "cloud"',
        "input_cost_per_token = 0.0",
        "output_cost_per_token = 0.0",
        *(f"{key} = {json.dumps(value)}" for key, value in extra.items()),
    ]
    (config / "models.toml").write_text("\n".join(lines) + "\n")


def test_attachments_follow_the_cloud_egress_rules(
    model_server: ScriptedModelServer, workspace: Path, tmp_path: Path
) -> None:
    _cloud_profile(tmp_path / "home", model_server)
    (workspace / "secrets").mkdir()
    (workspace / "secrets" / "prod.txt").write_text("the production database password is hunter2-long\n")
    (workspace / "config.env").write_text("API_TOKEN=sk-live-0123456789abcdef0123\n")
    model_server.add(call("attempt_completion", result="ok"))
    result = run_cli_remote(model_server, workspace, "Look at @secrets/prod.txt and @config.env")
    assert result.code == 0, result.stderr
    text = _first_user_message(model_server)
    assert "hunter2" not in text and "Withheld from the cloud model" in text
    assert "sk-live-0123456789abcdef0123" not in text and "API_TOKEN=" in text
    attached = next(e for e in result.events() if e["type"] == "context_attached")
    assert [bool(i["withheld"]) for i in attached["items"]] == [True, False]


def run_cli_remote(server: ScriptedModelServer, workspace: Path, task: str) -> Any:
    from tests.conftest import run_cli

    return run_cli("run", "--workspace", str(workspace), "--model", "remote", "--json", task)
