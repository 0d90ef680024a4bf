"""A drop-in embedded-server launcher (FLAMBEAU_LLAMA_LAUNCHER=tests.crashing_llama_launcher) that fails the way
llama.cpp did on Intel AMX machines: it answers `GET /v1/models`, then dies with SIGSEGV on the first
completion. FLAMBEAU_TEST_CRASH=first (the default) crashes only starts without the safest settings and
hands those to the real launcher; `always` crashes every start."""

from __future__ import annotations

import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from agent.models import llama_launcher


class CrashOnCompletion(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"object": "list", "data": [{"id": "gemma-3-270m", "object": "model"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        print("llama_decode: simulated crash in a repacked weight buffer", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSEGV)

    def log_message(self, format: str, *args: object) -> None:
        print(format % args, file=sys.stderr, flush=True)


def main() -> int:
    args, _ = llama_launcher.parse(sys.argv[1:])
    if args.parent_pid is not None:
        llama_launcher.exit_with_parent(args.parent_pid)
    if os.environ.get("FLAMBEAU_TEST_CRASH", "first") != "always" and args.safest:
        return llama_launcher.main()
    print(f"simulated server listening on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), CrashOnCompletion).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
