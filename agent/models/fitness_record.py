"""The last fitness check of each profile, kept so the editor can show it without running it again
(`$XDG_STATE_HOME/flambeau/fitness.json`, default `~/.local/state/flambeau/fitness.json`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.models.fitness import FitnessReport


def record_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "flambeau" / "fitness.json"


def summary_of(report: FitnessReport) -> dict[str, Any]:
    """What the Models view shows of a fitness check."""
    correct, edits = report.edits
    return {
        "model": report.model,
        "checkedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "reachable": report.reachable,
        "detail": report.reach_detail,
        "responseModel": report.response_model,
        "window": report.window,
        "windowSource": report.window_source,
        "replies": report.replies,
        "wellFormed": report.well_formed,
        "correctEdits": correct,
        "edits": edits,
        "tasks": [{"name": t.name, "passed": t.passed, "steps": t.steps} for t in report.tasks],
        "wallSeconds": round(report.wall_s, 1),
    }


def load_records() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def last_check(profile: str, model: str, records: dict[str, dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """The last check of `profile`, if it was of the same model (a re-pointed profile starts afresh);
    `records` saves re-reading the file when several profiles are looked up."""
    record = (load_records() if records is None else records).get(profile)
    return record if record is not None and record.get("model") == model else None


def save_check(profile: str, report: FitnessReport) -> dict[str, Any]:
    records = load_records()
    records[profile] = summary_of(report)
    path = record_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(records, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return records[profile]
