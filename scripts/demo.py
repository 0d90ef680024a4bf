"""The README's main command: a real task run by the embedded local model (Gemma 3 270M on the CPU,
through llama-cpp-python's server on loopback), in a temporary workspace, offline."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="flambeau-demo-") as tmp:
        command = [
            sys.executable, "-m", "cli.main", "run",
            "--workspace", tmp,
            "--model", "local",
            "--approve", "auto-all",
            "Run the command echo flambeau",
        ]  # fmt: skip
        return subprocess.call(command, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
