"""Neovim from Debian, headless, as an independent client: "Fix with Flambeau" edits its buffer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scripted_server import ScriptedModelServer, call

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "nvim" / "fix_with_flambeau.lua"
ON_DISK = "def add(a, b):\n    return a - b\n"
NOTE = "# note typed in the editor, not saved\n"
FIXED = NOTE + "def add(a, b):\n    return a + b\n"
DIAGNOSTIC = "add() subtracts its arguments instead of adding them"

pytestmark = pytest.mark.skipif(
    shutil.which("nvim") is None and os.environ.get("CI") != "true",
    reason="Neovim is not installed (apt-get install neovim; it is in scripts/system-packages)",
)


def test_fix_with_flambeau_code_action_edits_the_neovim_buffer(
    workspace: Path, tmp_path: Path, model_server: ScriptedModelServer
) -> None:
    source = workspace / "calc.py"
    source.write_text(ON_DISK)
    model_server.add(
        call("read_file", path="calc.py"),
        call("write_file", path="calc.py", content=FIXED),
        call("attempt_completion", result="add() adds now"),
    )
    out = tmp_path / "nvim-result.json"
    env = {
        **os.environ,
        "FLAMBEAU_NVIM_OUT": str(out),
        "FLAMBEAU_FILE": str(source),
        "FLAMBEAU_PYTHON": sys.executable,
        "FLAMBEAU_ROOT": str(ROOT),
        "FLAMBEAU_WORKSPACE": str(workspace),
        "FLAMBEAU_MODEL": "openai/scripted",
        "FLAMBEAU_API_BASE": model_server.base_url,
        "FLAMBEAU_DIAGNOSTIC": DIAGNOSTIC,
    }
    nvim = shutil.which("nvim") or "nvim"
    done = subprocess.run(
        [nvim, "--headless", "-n", "-i", "NONE", "-u", str(SCRIPT)],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    result = json.loads(out.read_text())
    assert done.returncode == 0 and result["status"] == "changed", (result, done.stderr)
    assert "Fix with Flambeau" in result["offered"]
    assert "\n".join(result["lines"]) + "\n" == FIXED
    assert result["modified"] is True  # the edit went into the buffer; nothing was saved
    assert source.read_text() == ON_DISK

    task = model_server.chat_requests[0].body["messages"][1]["content"]
    assert DIAGNOSTIC in task and "calc.py at line 3" in task
    assert "# note typed in the editor, not saved" in task  # the snippet shows the unsaved buffer
    read_result = [m for m in model_server.chat_requests[1].body["messages"] if m["role"] == "tool"][-1]
    assert read_result["content"].startswith(NOTE)
