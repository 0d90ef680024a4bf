"""The README's main command until the embedded local model lands: a scripted model drives a real session."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.scripted_server import ScriptedModelServer, call


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp, ScriptedModelServer() as server:
        workspace = Path(tmp)
        server.add(
            call("run_command", command="echo flambeau"), call("attempt_completion", result="Ran `echo flambeau`.")
        )
        return subprocess.call(
            [
                sys.executable,
                "-m",
                "cli.main",
                "run",
                "--workspace",
                str(workspace),
                "--model",
                "openai/scripted",
                "--api-base",
                server.base_url,
                "--approve",
                "auto-all",
                "Run the command echo flambeau",
            ]
        )


if __name__ == "__main__":
    sys.exit(main())
