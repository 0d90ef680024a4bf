"""A fitness check a user can trust before choosing a model: is it reachable, how large is its real
window, and how often does it send well-formed tool calls and make correct small edits over a fixed
set of canned tasks, each run as a real session in a temporary workspace."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent import events as ev
from agent.approval import ApproveAll
from agent.errors import AgentExit
from agent.models.config import ModelsConfig
from agent.models.gateway import ModelGateway
from agent.models.resolve import ResolvedModel
from agent.runner import TaskSpec, build_session
from agent.session import Limits


@dataclass(frozen=True)
class CannedTask:
    name: str
    """Short name shown in the report."""
    prompt: str
    """What the agent is asked to do."""
    files: dict[str, str]
    """Files the workspace starts with."""
    check: Callable[[Path, list[ev.Event]], bool]
    """Whether the task was done right, judged from the workspace and the events."""
    is_edit: bool
    """Counts towards the rate of correct small edits."""


def _ran(marker: str) -> Callable[[Path, list[ev.Event]], bool]:
    def check(root: Path, events: list[ev.Event]) -> bool:
        return any(isinstance(e, ev.ToolResultEvent) and e.ok and marker in e.output for e in events)

    return check


def _file_is(path: str, expected: str) -> Callable[[Path, list[ev.Event]], bool]:
    def check(root: Path, events: list[ev.Event]) -> bool:
        target = root / path
        return target.is_file() and target.read_text(encoding="utf-8", errors="replace").strip() == expected

    return check


CANNED_TASKS = (
    CannedTask("run", "Run the command echo fitness-check-ok", {}, _ran("fitness-check-ok"), False),
    CannedTask("create", "Create the file hello.txt containing Hello", {}, _file_is("hello.txt", "Hello"), True),
    CannedTask(
        "edit",
        "In colour.txt, change the word red to blue",
        {"colour.txt": "The sky is red.\n"},
        _file_is("colour.txt", "The sky is blue."),
        True,
    ),
)


@dataclass
class TaskOutcome:
    name: str
    passed: bool
    replies: int
    well_formed: int
    steps: int
    wall_s: float
    completed: bool = False
    """The model also called attempt_completion (not just did the work)."""
    note: str = ""


@dataclass
class FitnessReport:
    profile: str
    model: str
    locality: str
    reachable: bool
    reach_detail: str
    window: int | None
    window_source: str
    tasks: list[TaskOutcome] = field(default_factory=list)
    wall_s: float = 0.0
    response_model: str = ""
    """The model version the endpoint said answered (cloud providers name the exact snapshot)."""
    notices: list[str] = field(default_factory=list)
    """How the model was started (e.g. a crashed start retried with the safest settings)."""

    @property
    def replies(self) -> int:
        return sum(t.replies for t in self.tasks)

    @property
    def well_formed(self) -> int:
        return sum(t.well_formed for t in self.tasks)

    @property
    def edits(self) -> tuple[int, int]:
        edit_names = {t.name for t in CANNED_TASKS if t.is_edit}
        edits = [t for t in self.tasks if t.name in edit_names]
        return sum(t.passed for t in edits), len(edits)


Progress = Callable[[str, int, int], None]
"""Called with (step name, done, total) as a check goes: `reach`, then each canned task."""


async def run_fitness_check(
    name: str | None, config: ModelsConfig, max_steps: int = 4, on_progress: Progress | None = None
) -> FitnessReport:
    """Open the profile `name` (the default when None), check it, and remember the result for the editor."""
    from agent.context import window_for
    from agent.models.fitness_record import save_check
    from agent.models.resolve import EMBEDDED_NAME, chosen_name, open_model

    chosen = chosen_name(config, name)
    with open_model(chosen, config=config) as resolved:
        configured = config.profiles[chosen].profile.context_window if chosen in config.profiles else None
        if chosen == EMBEDDED_NAME and chosen not in config.profiles:
            source = "n_ctx reported by the llama.cpp server"
        elif resolved.profile.context_window and resolved.profile.context_window != configured:
            source = "reported by the server"
        elif configured:
            source = "configured"
        else:
            source = "litellm model info"
        if resolved.profile.context_window is None:
            resolved.profile.context_window = window_for(resolved.profile.model, None)
        report = await check_fitness(resolved, source, max_steps=max_steps, on_progress=on_progress)
        report.notices = list(resolved.notices)
    save_check(chosen, report)
    return report


async def check_fitness(
    resolved: ResolvedModel, window_source: str, max_steps: int = 4, on_progress: Progress | None = None
) -> FitnessReport:
    started = time.monotonic()
    notify = on_progress or (lambda step, done, total: None)
    total = 1 + len(CANNED_TASKS)
    profile = resolved.profile
    report = FitnessReport(
        profile=profile.name,
        model=profile.model,
        locality=profile.effective_locality(),
        reachable=False,
        reach_detail="",
        window=profile.context_window,
        window_source=window_source,
    )
    notify("reach", 0, total)
    report.reachable, report.reach_detail, report.response_model = await _reach(resolved)
    if report.reachable:
        for done, task in enumerate(CANNED_TASKS, start=1):
            notify(task.name, done, total)
            report.tasks.append(await _run_task(resolved, task, max_steps))
    notify("done", total, total)
    report.wall_s = time.monotonic() - started
    return report


async def _reach(resolved: ResolvedModel) -> tuple[bool, str, str]:
    gateway = ModelGateway(resolved.profile, api_key=resolved.api_key, provenance=resolved.provenance)
    gateway.retry = type(gateway.retry)(attempts=1)
    started = time.monotonic()
    try:
        reply = await gateway.complete([{"role": "user", "content": "Reply with the word OK."}])
    except AgentExit as error:
        return False, str(error), ""
    answered_as = reply.stats.response_model or ""
    return True, f"answered in {time.monotonic() - started:.1f} s as {answered_as or '?'}", answered_as


async def _run_task(resolved: ResolvedModel, task: CannedTask, max_steps: int) -> TaskOutcome:
    events: list[ev.Event] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="flambeau-fitness-") as tmp:
        root = Path(tmp)
        for name, content in task.files.items():
            (root / name).write_text(content, encoding="utf-8")
        spec = TaskSpec.for_model(
            task.prompt, root, resolved, approval_mode="auto-all", limits=Limits(max_steps=max_steps), trace=False
        )
        session = build_session(spec, ApproveAll(), events.append)
        result = await session.run()
        passed = task.check(root, events)
    replies, well_formed = _call_rates(events)
    note = "" if passed else result.message[:160]
    wall = time.monotonic() - started
    completed = result.outcome == "completed"
    return TaskOutcome(task.name, passed, replies, well_formed, result.steps, wall, completed, note)


def _call_rates(events: list[ev.Event]) -> tuple[int, int]:
    """Model replies, and replies that carried at least one schema-valid tool call."""
    replies = 0
    well_formed_steps: set[int] = set()
    step = 0
    for event in events:
        if isinstance(event, ev.Usage):
            replies += 1
            step = event.step
        elif isinstance(event, ev.ToolCallProposed):
            well_formed_steps.add(step)
    return replies, len(well_formed_steps)
