"""Settings from dashboard.toml, with defaults that match the bundled demo, and the secrets file for the CLI."""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "dashboard.toml"
EXAMPLE_CONFIG_PATH = PROJECT_ROOT / "dashboard.example.toml"
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'dashboard.db'}"
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


class ConfigError(Exception):
    """A problem with dashboard.toml, phrased for the person who edits it."""


@dataclass
class Settings:
    """Parsed dashboard.toml. Feature modules read their own section with ``section()``."""

    raw: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def database_url(self) -> str:
        """Database URL: DASHBOARD_DATABASE_URL wins over the file, SQLite is the default."""
        url = os.environ.get("DASHBOARD_DATABASE_URL") or self.raw.get("database", {}).get("url")
        if not url:
            return DEFAULT_DATABASE_URL
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            # A relative SQLite path is relative to the project, not to the current directory.
            return f"sqlite:///{PROJECT_ROOT / url.removeprefix('sqlite:///')}"
        return url

    @property
    def session_name(self) -> str | None:
        """The configured session name, or None to mean 'the latest session'."""
        return self.raw.get("session", {}).get("name") or None

    def section(self, name: str) -> dict[str, Any]:
        """A top-level section of the config (an empty dict when absent)."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    def key(self, *names: str) -> str:
        """What these sections hold, as one string: part of the name of a cached result that reads them."""
        return repr([(name, sorted(self.section(name).items())) for name in names])

    def mapping(self, table: str) -> dict[str, str]:
        """Form question text -> canonical field name, for one table."""
        return dict(self.section("mapping").get(table, {}))


def load_settings(path: str | Path | None = None) -> Settings:
    """Read dashboard.toml (or DASHBOARD_CONFIG, or the example file when none exists)."""
    candidates = [Path(path)] if path else []
    if not path and os.environ.get("DASHBOARD_CONFIG"):
        candidates.append(Path(os.environ["DASHBOARD_CONFIG"]))
    if not candidates:
        candidates = [DEFAULT_CONFIG_PATH, EXAMPLE_CONFIG_PATH]
    for candidate in candidates:
        if candidate.exists():
            try:
                raw = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{candidate.name} is not valid TOML ({exc}); fix the file and try again.") from exc
            return Settings(raw=raw, path=candidate)
    if path:
        raise ConfigError(f"Config file {path} not found; copy dashboard.example.toml to dashboard.toml.")
    return Settings(raw={}, path=None)


def with_overrides(settings: Settings, **sections: dict[str, Any]) -> Settings:
    """A copy of settings with some sections replaced (used by tests and the CLI)."""
    raw = copy.deepcopy(settings.raw)
    for name, value in sections.items():
        raw[name] = value
    return Settings(raw=raw, path=settings.path)


def secrets_file_section(name: str, path: Path | None = None) -> dict[str, Any]:
    """A section of .streamlit/secrets.toml for code that runs outside Streamlit (CLI, cron); empty when absent."""
    path = path or SECRETS_FILE
    if not path.exists():
        return {}
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get(name)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix it and try again.") from exc
    return dict(section) if isinstance(section, Mapping) else {}
