from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.scripted_server import ScriptedModelServer

ROOT = Path(__file__).resolve().parent.parent
FLAMBEAU = [sys.executable, "-m", "cli.main"]


@pytest.fixture
def model_server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer() as server:
        yield server


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Config, keyring and caches of every test live in its own temporary home."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
    cwd: Path | None = None,
) -> CliResult:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run(
        [*FLAMBEAU, *args], capture_output=True, text=True, env=full_env, timeout=timeout, input=stdin, cwd=cwd or ROOT
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def run_scripted_cli(server: ScriptedModelServer, workspace: Path, *args: str, **kwargs: Any) -> CliResult:
    """`flambeau run` in `workspace` against the scripted model server; `args` are the rest of the line."""
    return run_cli(
        "run",
        "--workspace",
        str(workspace),
        "--model",
        "openai/scripted",
        "--api-base",
        server.base_url,
        *args,
        **kwargs,
    )
