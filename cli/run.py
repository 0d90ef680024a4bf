"""`flambeau run`: one task, headless, progress on the terminal or one JSON event per line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from agent.errors import ConfigError

if TYPE_CHECKING:
    from agent.approval import Approver
    from agent.events import ContainmentReported, EventSink
    from agent.mcp import McpManager
    from agent.models.config import ModelsConfig
    from agent.models.resolve import ResolvedModel
    from agent.session import Session, SessionResult

PREVIEW_LINES = 8
"""Lines of a command's output shown on the terminal (the model gets the whole capped output)."""
EXIT_CODES = {"completed": 0, "failed": 1, "limit": 3, "cancelled": 130}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flambeau run", description="Run one task headless.")
    parser.add_argument("task", help="what the agent should do (with --resume: the follow-up message)")
    parser.add_argument(
        "--resume",
        default=None,
        metavar="TASK_ID",
        help="continue this past task (see 'flambeau trace list'): its conversation is rebuilt from its trace, "
        "which must verify, and continues in a new trace that names it",
    )
    parser.add_argument("--workspace", type=Path, default=Path.cwd(), help="project folder (default: here)")
    parser.add_argument(
        "--model", default=None, help="a profile name, or a litellm model id such as openai/NAME (default: local)"
    )
    parser.add_argument("--api-base", default=None, help="endpoint of an OpenAI-compatible or other server")
    parser.add_argument(
        "--approve",
        choices=["ask", "auto-edit", "auto-all"],
        default="ask",
        help="ask: ask before edits and commands; auto-edit: edits run, commands ask; "
        "auto-all: everything the policy allows runs",
    )
    parser.add_argument("--max-steps", type=int, default=50, help="stop after this many model calls")
    parser.add_argument("--max-tokens", type=int, default=None, help="stop after this many tokens in all")
    parser.add_argument("--max-cost", type=float, default=None, help="stop after this cost in USD")
    parser.add_argument(
        "--tool-mode",
        choices=["native", "text", "constrained"],
        default=None,
        help="how the model calls tools (default: the profile's)",
    )
    parser.add_argument("--context-window", type=int, default=None, help="the model's window in tokens")
    parser.add_argument("--no-stream", action="store_true", help="ask for whole answers instead of a stream")
    parser.add_argument("--plan", action="store_true", help="plan mode: only reading tools run")
    parser.add_argument(
        "--no-checkpoints",
        action="store_true",
        help="do not snapshot the workspace before changes (see 'flambeau checkpoints')",
    )
    parser.add_argument(
        "--local-only",
        action="store_true",
        help="refuse cloud models: nothing leaves this machine (also: local_only = true in models.toml)",
    )
    parser.add_argument(
        "--otlp-endpoint",
        default=None,
        metavar="URL",
        help="send the trace's spans to this OpenTelemetry collector (OTLP/HTTP) when the task ends "
        "(default: OTEL_EXPORTER_OTLP_ENDPOINT)",
    )
    parser.add_argument(
        "--reply-language",
        default=None,
        metavar="LANG",
        help="the language the model answers in: a code (fr, ja, ko, zh-cn) or a name (default: English); "
        "this command's own messages stay English",
    )
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run commands without the bubblewrap sandbox, under the approval mode (recorded in the trace); "
        "without this, where no sandbox can run every command asks",
    )
    parser.add_argument(
        "--no-mcp",
        action="store_true",
        help="start no MCP server for this task (default: the trusted servers of mcp.json and .mcp.json)",
    )
    parser.add_argument("--json", action="store_true", help="write one JSON event per line on stdout")
    return parser


class TerminalPrinter:
    """Human progress on stderr; the assistant's text streams as it comes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._mid_text = False

    def __call__(self, event: object) -> None:
        from agent import events as ev

        if isinstance(event, ev.TextDelta):
            self.out.write(event.text)
            self._mid_text = True
            self.out.flush()
            return
        if self._mid_text:
            self.out.write("\n")
            self._mid_text = False
        if isinstance(event, ev.TaskStarted):
            rules = f", rules: {', '.join(event.rules)}" if event.rules else ""
            self.out.write(f"▶ {event.task_id} · {event.model} ({event.locality}){rules}\n")
            if event.extra.get("continues"):
                self.out.write(f"  continues {event.extra['continues']}: {event.task}\n")
        elif isinstance(event, ev.ContainmentReported):
            self.out.write(containment_banner(event))
        elif isinstance(event, ev.ModelNotice):
            self.out.write(f"! {event.message}\n")
        elif isinstance(event, ev.ToolCallProposed):
            self.out.write(f"→ {event.tool} {json.dumps(event.arguments, ensure_ascii=False)[:200]}\n")
        elif isinstance(event, ev.ContextAttached):
            chips = ", ".join(
                f"{i.label}{' (withheld)' if i.withheld else ''} ~{i.tokens:,} tokens" for i in event.items
            )
            self.out.write(f"  + attached {chips}\n")
        elif isinstance(event, ev.ApprovalDecided) and not event.approved:
            self.out.write(f"  ✗ not approved ({event.by}): {event.reason}\n")
        elif isinstance(event, ev.ToolResultEvent):
            mark = "✓" if event.ok else "✗"
            lines = event.output.strip().splitlines() or [""]
            self.out.write(f"  {mark} {event.tool}: {lines[-1][:160]}\n")
            if event.tool == "run_command":
                body = "\n".join(lines[:-1]).rstrip().splitlines()
                shown = body[:PREVIEW_LINES]
                self.out.writelines(f"    │ {line[:160]}\n" for line in shown)
                if len(body) > len(shown):
                    self.out.write(f"    │ … {len(body) - len(shown)} more line(s)\n")
        elif isinstance(event, ev.ContextCondensed):
            self.out.write(
                f"  ≡ turns {event.first_turn}-{event.last_turn} condensed into a summary by {event.profile} "
                f"({event.tokens_before:,} → {event.tokens_after:,} tokens)\n"
            )
        elif isinstance(event, ev.ContextTrimmed):
            self.out.write(f"! {event.reason}\n")
        elif isinstance(event, ev.CondenseFailed) and event.trigger == "auto":
            self.out.write(f"! the conversation could not be condensed: {event.error}\n")
        elif isinstance(event, ev.TaskFinished):
            self.out.write(f"■ {event.outcome} after {event.steps} step(s)\n")
        elif isinstance(event, ev.TaskFailed):
            self.out.write(f"■ failed after {event.steps} step(s): {event.error}\n")
        self.out.flush()


def containment_banner(event: ContainmentReported) -> str:
    """The banner's containment lines; without a sandbox, loud."""
    if event.sandbox == "bubblewrap":
        hidden = "; ".join(event.hidden)
        return (
            f"  sandbox: bubblewrap · network {event.network} (a command may ask for it) · writable: "
            f"{', '.join(event.writable)}\n  read-only: {', '.join(event.read_only)}\n  hidden: {hidden}\n"
        )
    rule = "!" * 72
    if event.chosen:
        what = "commands run UNCONFINED under the approval mode, with network and your home folder"
    elif event.commands_ask:
        what = "every command asks a person, even under --approve auto-all (--no-sandbox runs them unconfined)"
    else:
        what = "commands are refused: the policy requires the sandbox"
    return f"{rule}\n!! NO SANDBOX: {event.reason}\n!! {what}\n{rule}\n"


class JsonLines:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, event: object) -> None:
        from agent.events import ContainmentReported

        if isinstance(event, ContainmentReported) and event.sandbox == "none":
            sys.stderr.write(containment_banner(event))  # said loudly on the terminal too, not only in the stream
        self.out.write(json.dumps(event.to_dict(), ensure_ascii=False, default=str) + "\n")  # type: ignore[attr-defined]
        self.out.flush()


async def _run(args: argparse.Namespace) -> int:
    from agent.approval import ApproveAll
    from agent.attachments.resolve import resolve_mentions
    from agent.models.config import load_config
    from cli.approver import TerminalApprover

    workspace = args.workspace.resolve()
    if not workspace.is_dir():
        raise ConfigError(f"workspace {workspace} is not a directory; pass an existing folder with --workspace")
    args.attachments = await resolve_mentions(args.task, workspace)
    args.resumed = None
    if args.resume:
        from agent.history.resume import prepare_resume

        args.resumed = prepare_resume(workspace, args.resume)
    config = load_config(workspace)
    sink = JsonLines(sys.stdout) if args.json else TerminalPrinter(sys.stderr)
    terminal = TerminalApprover()
    # auto-all still puts firm questions (work destroyed in the workspace, opaque commands) to a person.
    approver = ApproveAll(terminal if sys.stdin.isatty() else None) if args.approve == "auto-all" else terminal
    name: str | None = args.model
    async with _mcp_servers(args, workspace, config) as mcp:
        return await _run_models(args, workspace, config, name, approver, sink, mcp)


async def _run_models(
    args: argparse.Namespace,
    workspace: Path,
    config: ModelsConfig,
    name: str | None,
    approver: Approver,
    sink: EventSink,
    mcp: McpManager | None,
) -> int:
    from agent.models.escalation import ask_to_escalate, escalation_target
    from agent.models.resolve import configured_profile, open_model
    from cli.approver import TerminalApprover

    while True:
        with open_model(
            name,
            config=config,
            api_base=args.api_base,
            tool_mode=args.tool_mode,
            context_window=args.context_window,
            local_only_flag=args.local_only,
        ) as resolved:
            session, result = await _run_session(args, workspace, resolved, approver, sink, mcp)
        if result is None:
            return EXIT_CODES["cancelled"]
        target = escalation_target(result, session, resolved.profile, config, resolved.restrictions)
        if target is None or not await ask_to_escalate(
            TerminalApprover(),
            session.emit,
            result.task_id,
            resolved.profile,
            configured_profile(config, target).profile,
            result.message,
        ):
            break
        name, args.api_base, args.tool_mode = target, None, None
    if not args.json:
        if result.outcome == "completed":
            print(result.message)
        else:
            print(f"flambeau: {result.message}", file=sys.stderr)
    return EXIT_CODES[result.outcome]


@contextlib.asynccontextmanager
async def _mcp_servers(
    args: argparse.Namespace, workspace: Path, config: ModelsConfig
) -> AsyncIterator[McpManager | None]:
    """The task's MCP servers, started (the trusted ones, allowed by local-only mode) and shut down after."""
    if args.no_mcp:
        yield None
        return
    from agent.mcp import McpConfigError, McpManager

    restrictions = copy.deepcopy(config.restrictions)
    if args.local_only:
        restrictions.require_local("--local-only")
    try:
        manager = McpManager(
            workspace, local_only=restrictions.local_only, local_only_source=restrictions.local_only_source
        )
    except McpConfigError as error:
        raise ConfigError(f"{error} (or run with --no-mcp)") from error
    async with manager:
        await manager.start()
        yield manager


async def _run_session(
    args: argparse.Namespace,
    workspace: Path,
    resolved: ResolvedModel,
    approver: Approver,
    sink: EventSink,
    mcp: McpManager | None = None,
) -> tuple[Session, SessionResult | None]:
    from agent.runner import TaskSpec, build_session
    from agent.session import Limits
    from cli.asker import TerminalAsker

    profile = resolved.profile
    if args.no_stream:
        profile.stream = False
    resume = args.resumed
    spec = TaskSpec.for_model(
        resume.conversation.task if resume else args.task,
        workspace,
        resolved,
        approval_mode=args.approve,
        limits=Limits(max_steps=args.max_steps, max_tokens=args.max_tokens, max_cost_usd=args.max_cost),
        plan_mode=args.plan,
        checkpoints=not args.no_checkpoints,
        otlp_endpoint=args.otlp_endpoint,
        attachments=[] if resume else args.attachments,
        reply_language=args.reply_language,
        no_sandbox=args.no_sandbox,
        resume=resume,
    )
    session = build_session(spec, approver, sink, asker=TerminalAsker(), mcp=mcp)
    if resume:
        session.follow_up(args.task, args.attachments)
    try:
        return session, await session.run()
    except asyncio.CancelledError:
        return session, None


async def _until_signalled(args: argparse.Namespace) -> int:
    """`_run`, cancelled by SIGINT or SIGTERM from its first moment: the session ends cancelled, its trace
    closed, and the process exits at once (nothing it waits for is left blocked in a thread)."""
    task = asyncio.ensure_future(_run(args))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        return EXIT_CODES["cancelled"]
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(_until_signalled(args))
    except ConfigError as error:
        print(f"flambeau: {error}", file=sys.stderr)
        return 2
    finally:
        _finish_exports()


def _finish_exports() -> None:
    """Let a live export started at the task's end finish (bounded), and say if it did not."""
    if "agent.trace.live_export" not in sys.modules:
        return
    from agent.trace import live_export
    from agent.trace.otlp import PUSH_TIMEOUT_S

    live_export.wait_for_exports(PUSH_TIMEOUT_S + 1)
    for result in live_export.results:
        if not result.ok:
            note = f"flambeau: spans not sent ({result.message}); 'flambeau trace push' sends them later"
            print(note, file=sys.stderr)
