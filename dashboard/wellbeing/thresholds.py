"""What the signal rules compare against (Thresholds, from dashboard.toml [wellbeing]) and what they produce (Signal)."""

from __future__ import annotations

from dataclasses import dataclass, fields as dc_fields
from datetime import date

from dashboard.config import ConfigError, Settings

SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
SIGNAL_COLUMNS = ["email", "week", "signal", "severity", "reason"]  # the contract shape (`signals --json`)


@dataclass(frozen=True)
class Thresholds:
    """The [wellbeing] rules; hours are multiples of the session's expected hours."""

    overwork_ratio: float = 2.0  # at least 2x expected ...
    overwork_weeks: int = 2  # ... in this many consecutive weeks
    overwork_single_week_ratio: float = 3.0  # or 3x expected in any one week
    no_break_weeks: int = 4  # above expected every week for this many weeks
    burnout_at_least: int = 3  # single-item burnout answer (1 = enjoys it, 5 = completely burned out)
    energy_drop: float = 2.0  # energy this far below the person's median of earlier weeks
    energy_min_history: int = 2  # earlier check-ins needed before a drop means anything
    drifting_missed_weeks: int = 2  # consecutive weeks without a check-in
    drifting_active_weeks: int = 2  # active weeks before a 0-hour week counts as falling to 0
    stuck_weeks: int = 2  # consecutive weeks reporting blockers
    holiday_weeks: tuple[int, ...] = ()  # session-wide breaks: no check-in expected
    expected_band: tuple[float, float] = (0.5, 1.5)  # "about the expected hours" on charts
    team_carry_factor: float = 1.5  # a member with this many times an equal share carries the team
    navigator_max_djangonauts: int = 4


def load_thresholds(settings: Settings | None) -> Thresholds:
    """Thresholds from dashboard.toml [wellbeing]; defaults for anything not set."""
    cfg = settings.section("wellbeing") if settings is not None else {}
    values = {}
    known = {f.name: f for f in dc_fields(Thresholds)}
    for name, value in cfg.items():
        if name not in known:
            raise ConfigError(
                f"Unknown setting '{name}' in dashboard.toml [wellbeing]; use one of: {', '.join(known)}."
            )
        default = getattr(Thresholds(), name)
        try:
            if isinstance(default, tuple):
                values[name] = tuple(type(default[0])(v) if default else int(v) for v in value)
            else:
                values[name] = type(default)(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"dashboard.toml [wellbeing] {name} = {value!r} is not valid; use a value like {default!r}."
            ) from None
    return Thresholds(**values)


@dataclass(frozen=True)
class Signal:
    """One rule firing for one person in one week, with the numbers that made it fire."""

    email: str
    week: int
    signal: str
    severity: str
    reason: str
    evidence_on: date | None = None  # when the latest evidence arrived (check-in date or missed week)
    handled: bool = False
