"""A fork server for the SIGKILL test: imports litellm once, then runs each session in a forked child.

Protocol on stdin/stdout, one line each: the test writes a workspace path; the harness answers
`pid <n>` once the child runs, and `exit <status>` when it has ended (finished or killed).
Run: python -m tests.trace_crash_harness BASE_URL
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path


def run_one(workspace: Path, base_url: str) -> None:
    from agent.approval import ApproveAll
    from agent.models.resolve import resolve_profile
    from agent.runner import TaskSpec, build_session

    profile = resolve_profile("openai/scripted", api_base=base_url)
    spec = TaskSpec(task="Shout the notes", workspace=workspace, profile=profile, approval_mode="auto-all")
    asyncio.run(build_session(spec, ApproveAll(), lambda event: None).run())


def main(argv: list[str]) -> int:
    base_url = argv[0]
    from agent.models.gateway import import_litellm

    import_litellm()
    import agent.runner  # noqa: F401 - warm every import before forking

    print("ready", flush=True)
    for line in sys.stdin:
        workspace = Path(line.strip())
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run_one(workspace, base_url)
            except BaseException:
                code = 1
            os._exit(code)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
