"""Warming the agent in the background once the editor is connected, so that its first task starts at once.

`initialize` stays as light as a bare pygls server's: nothing heavy is imported before it is answered.
After `initialized`, one daemon thread imports the agent and litellm (seconds on a cold start) and does
once what a first task would otherwise do on demand before its first model request: the keyring backend,
the tokenizer, and one rehearsal call through litellm to a stub on 127.0.0.1 inside this process (which
loads litellm's OpenAI-compatible provider path and the HTTP stack; nothing leaves the process). A task
started while the warm-up runs waits for it (one import, not two); a task started later finds it done.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

logger = logging.getLogger(__name__)

STUB_REPLY = {
    "id": "warm-up",
    "object": "chat.completion",
    "created": 0,
    "model": "warm-up",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


def load_agent() -> None:
    """Import the agent and litellm (what a task needs before anything else), and what the requests about
    past tasks read traces with, so that no request imports them while this thread does (two threads
    importing modules that import each other can deadlock)."""
    import agent.history.conversation
    import agent.history.export
    import agent.history.restore
    import agent.history.resume
    import agent.history.timeline
    import agent.runner
    import agent.trace
    import agent.trace.deletion  # noqa: F401
    from agent.models.gateway import import_litellm

    import_litellm()


def prime_first_call() -> None:
    """What the first task does once before its first request: keyring backend, tokenizer, litellm's
    provider path and HTTP client (exercised against a stub answering on loopback in this process)."""
    import keyring

    import agent.trace  # noqa: F401
    import tools.workspace.checkpoints  # noqa: F401
    from agent.models.gateway import import_litellm

    keyring.get_keyring()
    litellm = import_litellm()
    litellm.token_counter(model="gpt-4o", text="warm-up")
    with _Stub() as api_base:
        asyncio.run(
            litellm.acompletion(
                model="openai/warm-up",
                api_base=api_base,
                api_key="sk-warm-up",
                messages=[{"role": "user", "content": "warm-up"}],
                max_tokens=1,
                num_retries=0,
                timeout=30,
            )
        )


class _Stub:
    """One OpenAI-compatible answer on 127.0.0.1 at a free port, for the rehearsal call."""

    def __enter__(self) -> str:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # not before `initialize`: ~50 ms

        body = json.dumps(STUB_REPLY).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, name="warm-up-stub", daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class Warmup:
    """One background warm-up per server; `ready()` waits for it (starting it if nobody did)."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._loaded = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._failed = False
        self.seconds: float | None = None
        """How long the warm-up took, once done."""

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="flambeau-warm-up", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        started = time.monotonic()
        try:
            try:
                load_agent()
            finally:
                self._loaded.set()
            prime_first_call()
        except Exception as error:  # the task does the same on demand and reports the error where it is seen
            logger.warning("warm-up failed: %s", error)
            self._failed = True
        finally:
            self.seconds = time.monotonic() - started
            self._done.set()

    async def loaded(self) -> None:
        """Wait until the agent's modules are imported (not for the rehearsal call): a request may then
        import what it needs in a worker thread without racing the warm-up's own imports."""
        self.start()
        if not self._loaded.is_set():
            await asyncio.to_thread(self._loaded.wait)

    async def ready(self) -> None:
        """Wait for the warm-up (a task that arrives first starts it). Its rehearsal call is over before a
        task makes its own, so litellm never serves two event loops at once."""
        self.start()
        if not self._done.is_set():
            await asyncio.to_thread(self._done.wait)
        if self._failed:
            await asyncio.to_thread(load_agent)  # raises, for the task to report, what the warm-up only logged
