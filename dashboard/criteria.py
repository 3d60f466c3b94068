"""Review criteria (labels, scale, weight) from dashboard.toml [review]."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.config import Settings


@dataclass(frozen=True)
class Criterion:
    name: str
    label: str
    low: int = 1
    high: int = 5
    weight: float = 1.0


DEFAULT_CRITERIA = (
    Criterion("motivation", "Motivation"),
    Criterion("resilience", "Resilience"),
    Criterion("knowledge", "Knowledge"),
    Criterion("availability", "Availability"),
    Criterion("community", "Community connection"),
)


def load_criteria(settings: Settings) -> tuple[Criterion, ...]:
    """The configured criteria, or the program's five defaults scored 1-5 with weight 1."""
    configured = settings.section("review").get("criteria")
    if not configured:
        return DEFAULT_CRITERIA
    return tuple(
        Criterion(
            name=c["name"],
            label=c.get("label", c["name"].replace("_", " ").capitalize()),
            low=int(c.get("low", 1)),
            high=int(c.get("high", 5)),
            weight=float(c.get("weight", 1.0)),
        )
        for c in configured
    )
