"""What a task may spend (steps, tokens, USD) and what it has spent; every limit message says how to lift it."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.errors import LimitExceeded
from agent.events import ModelRole, Outcome, Usage
from agent.models.gateway import CallStats


@dataclass
class Limits:
    max_steps: int = 50
    max_tokens: int | None = None
    """Prompt plus completion tokens over the whole task."""
    max_cost_usd: float | None = None
    max_format_errors: int = 3
    """Malformed tool calls in a row before the task fails."""


@dataclass
class Totals:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    """USD of the calls whose price is known."""
    unpriced_calls: int = 0
    """Calls to a cloud model with no known price: the total is then unknown."""

    @property
    def known_cost(self) -> float | None:
        return round(self.cost_usd, 6) if self.unpriced_calls == 0 else None

    def add(self, task_id: str, step: int, stats: CallStats, role: ModelRole = "main") -> Usage:
        """Count one model call (the task's own, or one for a summary or a commit message); returns its event."""
        self.prompt_tokens += stats.prompt_tokens
        self.completion_tokens += stats.completion_tokens
        if stats.cost_usd is None:
            self.unpriced_calls += 1
        else:
            self.cost_usd += stats.cost_usd
        return Usage(
            task_id=task_id,
            step=step,
            model=stats.model,
            locality=stats.locality,
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            cost_usd=stats.cost_usd,
            latency_s=round(stats.latency_s, 4),
            response_model=stats.response_model,
            system_fingerprint=stats.system_fingerprint,
            provenance=stats.provenance,
            total_prompt_tokens=self.prompt_tokens,
            total_completion_tokens=self.completion_tokens,
            total_cost_usd=self.known_cost,
            role=role,
        )

    def check(self, limits: Limits, steps: int, model: str) -> None:
        """Raise `LimitExceeded` (saying how to lift it) when the next step would go over a limit."""
        if steps >= limits.max_steps:
            raise LimitExceeded(f"stopped after {steps} steps (the step limit); raise it with --max-steps")
        used = self.prompt_tokens + self.completion_tokens
        if limits.max_tokens is not None and used >= limits.max_tokens:
            raise LimitExceeded(f"stopped after using {used:,} tokens (the limit is {limits.max_tokens:,})")
        if limits.max_cost_usd is None:
            return
        if self.unpriced_calls:
            raise LimitExceeded(
                f"stopped: the cost of {model} is unknown (no price in litellm or in the profile), so --max-cost "
                "cannot be kept; set input_cost_per_token and output_cost_per_token in its profile"
            )
        if self.cost_usd >= limits.max_cost_usd:
            raise LimitExceeded(
                f"stopped after spending ${self.cost_usd:.4f} (the limit is ${limits.max_cost_usd:.4f})"
            )


@dataclass
class SessionResult:
    task_id: str
    outcome: Outcome
    message: str
    steps: int
    totals: Totals = field(default_factory=Totals)
