"""Egress by access: a cloud-marked profile (over real HTTP to the scripted server) never receives a
secret file, a never-to-cloud file, a stored key, an API key of Flambeau's environment or the trace
signing key — not as read by file tools, not as a search hit or a diff line, not through a command,
and not in base64, hex or URL-encoded form. The recorded request bodies are the evidence."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from agent.trace.signing import stored_signing_key
from tests.conftest import run_cli
from tests.scripted_server import ScriptedModelServer, call
from tests.test_models_data_stays_home import cloud_profile_at, write_user_config
from tools.workspace.secrets import REDACTED, redact_text

ENV_OLD = "pw-old-4b8e0c2d6f1a3957"
ENV_NEW = "pw-new-7c1e9b2a55d04f31"
TOKEN_OLD = "tok-old-0a9b8c7d6e5f4321"
TOKEN_NEW = "tok-new-3f9a7d1c0b2e4f6a"
API_KEY = "sk-test-cloud-keyring-8e2f0a4c6b1d3957"
ENV_API_KEY = "sk-ant-api03-environment-only-41c7e9d2b08f"


def encodings(secret: str) -> set[str]:
    """The plain value, its hex, URL-encoding, and the stable core of its base64 at every alignment."""
    raw = secret.encode()
    forms = {secret, raw.hex(), raw.hex().upper(), quote(secret, safe="")}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        forms.add(encoded[4 if shift else 0 : len(encoded) - 4])
    return forms


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def _git(workspace: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True)


def _secret_workspace(workspace: Path) -> None:
    _git(workspace, "init", "-q", "-b", "main")
    _git(workspace, "config", "user.email", "t@example.invalid")
    _git(workspace, "config", "user.name", "T")
    (workspace / "secrets").mkdir()
    (workspace / "app.py").write_text("def main():\n    return 'pw-or-tok'\n")
    (workspace / ".env").write_text(f"DB_PASSWORD={ENV_OLD}\n")
    (workspace / "secrets" / "token.txt").write_text(f"{TOKEN_OLD}\n")
    (workspace / "secrets" / "launch.py").write_text("def launch_code_7f3a91():\n    return 1\n")
    _git(workspace, "add", ".")
    _git(workspace, "commit", "-q", "-m", "start")
    (workspace / ".env").write_text(f"DB_PASSWORD={ENV_NEW}\n")  # rewritten secrets: git_diff would show both
    (workspace / "secrets" / "token.txt").write_text(f"{TOKEN_NEW}\n")
    (workspace / "app.py").write_text("def main():\n    return 'pw-or-tok, changed'\n")


def test_nothing_of_a_secret_reaches_a_cloud_profile_in_any_encoding(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    write_user_config('never_to_cloud = ["secrets/**"]\n' + cloud_profile_at(model_server))
    assert run_cli("keys", "set", "openai", stdin=API_KEY + "\n").code == 0
    _secret_workspace(workspace)
    keyring_file = Path(os.environ["XDG_DATA_HOME"]) / "python_keyring" / "keyring_pass.cfg"
    model_server.add(
        call("read_file", path=".env"),
        call("read_file", path="secrets/token.txt"),
        call("list_files", path=".", recursive=True),
        call("search_files", path=".", regex="pw-|tok-"),
        call("git_diff"),
        call("git_diff", ref="HEAD"),
        call("list_definitions", path="."),
        call("run_command", command="cat .env"),
        call("run_command", command="base64 secrets/token.txt"),
        call("run_command", command="git diff"),
        call("run_command", command=f"cat {keyring_file}"),
        call("run_command", command="base64 -w0 /proc/$PPID/environ"),
        call("run_command", command="xxd -p /proc/$PPID/environ"),
        call("attempt_completion", result="looked"),
    )
    result = run_cli(
        "run", "--workspace", str(workspace), "--model", "cloudy", "--approve", "auto-all", "--json",
        "Look at @.env and @git-changes",
        env={"ANTHROPIC_API_KEY": ENV_API_KEY},
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert len(model_server.chat_requests) == 14
    signing_key = stored_signing_key()
    assert signing_key is not None
    signing_hex = signing_key.private.private_bytes_raw().hex()
    secrets = [ENV_OLD, ENV_NEW, TOKEN_OLD, TOKEN_NEW, API_KEY, ENV_API_KEY, signing_hex]
    forms = {form: secret for secret in secrets for form in encodings(secret)}
    for request in model_server.chat_requests:
        for text in strings(request.body):
            squeezed = "".join(text.split())
            leaked = {forms[f] for f in forms if f in text or f in squeezed}
            assert not leaked, f"{leaked} reached the cloud profile in: {text[:400]}"

    assert not any("launch_code_7f3a91" in json.dumps(r.body) for r in model_server.chat_requests)  # nor the repo map
    results = [m["content"] for m in model_server.chat_requests[-1].body["messages"] if m["role"] == "tool"]
    first_user = next(m for m in model_server.chat_requests[0].body["messages"] if m["role"] == "user")
    assert "Withheld from the cloud model" in json.dumps(first_user)
    assert results[0].startswith("Withheld from the cloud model") and ".env" in results[0], results[0]
    assert results[1].startswith("Withheld from the cloud model") and "secrets/**" in results[1], results[1]
    listing, search, diff, diff_head, outline = results[2:7]
    shown, note = listing.split("\n[")
    assert shown == "app.py" and note.startswith("2 withheld file(s) skipped: .env, secrets "), listing
    assert search.startswith("app.py:2:") and "withheld file(s) skipped: .env, secrets " in search, search
    for shown in (diff, diff_head):
        assert "app.py" in shown and "withheld file(s) skipped: .env, secrets/token.txt" in shown, shown
    assert "main" in outline


def test_redaction_catches_known_values_in_base64_hex_and_url_encoded_forms() -> None:
    secret = "k3y/with+odd&chars=" + "9f8e7d6c5b4a"
    for prefix in ("", "a", "ab"):
        encoded = base64.b64encode((prefix + secret + "tail").encode()).decode()
        wrapped = "\n".join(encoded[i : i + 8] for i in range(0, len(encoded), 8))
        for text in (encoded, wrapped, base64.urlsafe_b64encode((prefix + secret).encode()).decode()):
            cleaned = redact_text(text, {secret})
            assert REDACTED in cleaned, (prefix, text)
            assert not any(form in "".join(cleaned.split()) for form in encodings(secret) - {secret}), cleaned
    for text in (secret.encode().hex(), secret.encode().hex().upper(), quote(secret, safe=""), quote(secret)):
        assert redact_text(f"x {text} y", {secret}) == f"x {REDACTED} y", text
    assert redact_text("nothing to hide here", {secret}) == "nothing to hide here"
