"""The embedded server's process: `python -m agent.models.llama_launcher --model GGUF --port N …`.

It is llama-cpp-python's OpenAI-compatible server with three things the stock command line cannot do:
it refuses a llama.cpp build compiled for instructions this CPU lacks (SIGILL otherwise), it loads with
extra buffer types off when the launch settings say so (`use_extra_bufts`, see launch_settings), and it
serves Gemma's turn format (the GGUF has no chat template). What it decided is printed as one
`FLAMBEAU_RUNTIME {json}` line at the top of its log; the parent records it in the call's provenance.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import Any

from agent.models.gemma_turns import CHAT_FORMAT, END_OF_TURN, gemma_prompt
from agent.models.launch_settings import (
    LaunchSettings,
    build_features,
    cpu_flags,
    missing_cpu_features,
    use_extra_buffers,
)

RUNTIME_MARK = "FLAMBEAU_RUNTIME "
CPU_MISMATCH_EXIT = 3
PARENT_GONE_EXIT = 4


def parse(argv: list[str]) -> tuple[argparse.Namespace, LaunchSettings]:
    parser = argparse.ArgumentParser(prog="python -m agent.models.llama_launcher")
    parser.add_argument("--model", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--n-ctx", type=int, default=LaunchSettings.n_ctx)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--extra-buffers", choices=["auto", "on", "off"], default="auto")
    parser.add_argument("--safest", action="store_true")
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when this process is gone")
    args = parser.parse_args(argv)
    settings = LaunchSettings(
        n_ctx=args.n_ctx, threads=args.threads, extra_buffers=args.extra_buffers, safest=args.safest
    )
    return args, settings


def runtime_record(settings: LaunchSettings, system_info: str, version: str) -> tuple[dict[str, Any], list[str]]:
    """What this start runs with, and the compiled-in features this CPU lacks."""
    features = build_features(system_info)
    flags = cpu_flags()
    extra, reason = use_extra_buffers(settings, features)
    record = {
        **settings.record(),
        "extra_buffers_used": extra,
        "extra_buffers_reason": reason,
        "build_features": sorted(features),
        "cpu_amx": "amx_int8" in flags,
        "llama_cpp_python": version,
    }
    return record, missing_cpu_features(features, flags)


def exit_with_parent(parent: int, interval_s: float = 1.0) -> None:
    """The server runs in its own session (so a Ctrl-C in the terminal does not reach it mid-answer), so
    nothing stops it when Flambeau is killed: it watches its parent and exits when that is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_s)
        os._exit(PARENT_GONE_EXIT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _register_chat_format(chat_format: Any) -> None:
    def format_turns(messages: list[dict[str, Any]], **_: Any) -> Any:
        return chat_format.ChatFormatterResponse(prompt=gemma_prompt(messages), stop=END_OF_TURN)

    chat_format.register_chat_format(CHAT_FORMAT)(format_turns)


def _turn_off_extra_buffers(native: Any) -> None:
    """Every model this process loads gets `use_extra_bufts = False` (no repacking, no AMX buffers)."""
    defaults = native.llama_model_default_params

    def without_extra_buffers() -> Any:
        params = defaults()
        params.use_extra_bufts = False
        return params

    native.llama_model_default_params = without_extra_buffers


def main(argv: list[str] | None = None) -> int:
    args, settings = parse(sys.argv[1:] if argv is None else argv)
    if args.parent_pid is not None:
        exit_with_parent(args.parent_pid)
    import llama_cpp
    import llama_cpp.llama_chat_format as chat_format
    import llama_cpp.llama_cpp as native

    info = native.llama_print_system_info().decode("utf-8", errors="replace")
    record, missing = runtime_record(settings, info, str(getattr(llama_cpp, "__version__", "?")))
    print(RUNTIME_MARK + json.dumps(record, sort_keys=True), file=sys.stderr, flush=True)
    if missing:
        print(
            f"this llama-cpp-python was compiled for CPU features this CPU lacks ({', '.join(missing)}): "
            "it was built with native tuning on another machine (pip reuses such a build from its wheel cache). "
            "Reinstall it built for any x86-64 CPU (see docs/embedded-model.md).",
            file=sys.stderr,
            flush=True,
        )
        return CPU_MISMATCH_EXIT
    if not record["extra_buffers_used"]:
        _turn_off_extra_buffers(native)
    _register_chat_format(chat_format)
    return _serve(args, settings)


def _serve(args: argparse.Namespace, settings: LaunchSettings) -> int:
    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    model = ModelSettings(
        model=args.model,
        model_alias=args.alias,
        n_ctx=settings.n_ctx,
        n_threads=settings.threads,
        n_threads_batch=settings.threads,
        chat_format=settings.chat_format,
    )
    server = ServerSettings(host="127.0.0.1", port=args.port)
    uvicorn.run(create_app(server_settings=server, model_settings=[model]), host=server.host, port=server.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
