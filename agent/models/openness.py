"""Openness cards: the licence of a model and whether its weights, training code and data are open.

Curated cards for common families ship as data (`agent/models/data/openness.toml`); a profile may name its
own card fields in config, which are taken as given.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

Category = Literal["proprietary", "open weights with restrictions", "open weights", "open source AI", "unknown"]
Openness = Literal["open", "restricted", "closed", "unknown"]
CATEGORIES: tuple[str, ...] = (
    "proprietary",
    "open weights with restrictions",
    "open weights",
    "open source AI",
    "unknown",
)


@dataclass(frozen=True)
class OpennessCard:
    family: str
    """The model family the card describes (e.g. `Gemma 3`)."""
    licence: str
    """The licence the weights or the service are offered under."""
    category: str
    """proprietary / open weights with restrictions / open weights / open source AI / unknown."""
    weights: str = "unknown"
    """Whether the weights are open, restricted (open with use restrictions) or closed."""
    training_code: str = "unknown"
    """Whether the training code is published."""
    training_data: str = "unknown"
    """Whether the training data is published."""
    source: str = ""
    """Where the licence or the model's documentation can be read."""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def summary(self) -> str:
        return f"{self.family}: {self.category} ({self.licence})"


UNKNOWN_CARD = OpennessCard(
    family="unknown",
    licence="unknown",
    category="unknown",
    source="no curated card matches this model id; add one to the profile ([profiles.NAME.card])",
)


@cache
def _curated() -> tuple[tuple[tuple[re.Pattern[str], ...], OpennessCard], ...]:
    text = resources.files("agent.models").joinpath("data/openness.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(text).get("card", [])
    cards = []
    for entry in entries:
        patterns = tuple(re.compile(p, re.IGNORECASE) for p in entry.pop("patterns"))
        cards.append((patterns, OpennessCard(**entry)))
    return tuple(cards)


def curated_cards() -> list[OpennessCard]:
    return [card for _, card in _curated()]


def card_for(model: str, override: dict[str, Any] | None = None) -> OpennessCard:
    """The card for a litellm model id; `override` (from a profile's config) wins field by field."""
    name = model.split("/", 1)[1] if "/" in model else model
    found = UNKNOWN_CARD
    for patterns, card in _curated():
        if any(p.search(name) for p in patterns):
            found = card
            break
    if not override:
        return found
    fields = {**found.to_dict(), **{k: str(v) for k, v in override.items()}}
    if fields["category"] not in CATEGORIES:
        from agent.errors import ConfigError

        raise ConfigError(f"openness card category {fields['category']!r} is not one of: {', '.join(CATEGORIES)}")
    return OpennessCard(**fields)
