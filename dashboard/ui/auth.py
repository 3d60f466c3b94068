"""Who is looking: Streamlit's OpenID Connect sign-in, a single-user local mode, or the demo.

With an ``[auth]`` section in .streamlit/secrets.toml every visitor signs in (st.login) and
their roles come from the e-mail lists and the teams table; demo personas are never offered.
Without one, the "viewing as" switcher offers every role, but only over sessions that hold
nothing but the bundled synthetic demo. Anything else needs sign-in, or local mode
(``DASHBOARD_LOCAL_MODE=1``): one person, the organiser, on the computer the app runs on, which
only works while Streamlit listens on 127.0.0.1 and the browser connects from there.
Secret values are never drawn or logged here: only the names of missing keys.
"""

from __future__ import annotations

import getpass
import ipaddress
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st
from streamlit import config as st_config

from dashboard import access
from dashboard.config import Settings

DEMO_VIEWER_KEY = "demo_viewer"
ROLE_LIST_KEYS = ("organisers", "reviewers")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
PROVIDER_LABELS = {"google": "Google", "microsoft": "Microsoft", "github": "GitHub", "okta": "Okta", "auth0": "Auth0"}
DEFAULT_CONTACT = "an organiser of your program"
LOCAL_MODE_VARIABLE = "DASHBOARD_LOCAL_MODE"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
FORWARDING_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded", "X-Forwarded-Host")
log = logging.getLogger("mission_control.auth")


class SecretsUnreadable(Exception):
    """A secrets file exists but cannot be read: sign-in may be meant, so the app must not open as a demo."""


def _secrets_files() -> list[Path]:
    """The secrets files Streamlit would read that exist on disk."""
    return [Path(path) for path in st_config.get_option("secrets.files") if Path(path).exists()]


def _missing_secrets_files() -> list[Path]:
    """Secrets files Streamlit was told to read (secrets.files, beyond its defaults) that do not exist."""
    defaults = set(st_config.get_config_files("secrets.toml"))
    return [
        Path(path) for path in st_config.get_option("secrets.files") if path not in defaults and not Path(path).exists()
    ]


def _secrets_section(name: str) -> Mapping | None:
    missing = _missing_secrets_files()
    if missing:  # e.g. --secrets.files /run/secrets/x.toml, but the volume was not mounted
        raise SecretsUnreadable(
            f"Mission Control was told to read its secrets from {', '.join(map(str, missing))} (secrets.files), "
            "but there is no such file. Mount it or correct the path, then restart the app. Until then nothing is "
            "shown, so that a deployment meant to have sign-in never opens in demo mode."
        )
    try:
        return st.secrets[name] if name in st.secrets else None
    except Exception as exc:
        files = _secrets_files()
        if not files:  # no secrets at all: demo mode
            return None
        # tomllib's message names the line and column, never the file's values.
        log.error("cannot read the secrets file: %s", exc)
        raise SecretsUnreadable(
            f"Mission Control cannot read its secrets file ({', '.join(map(str, files))}): it is not valid TOML. "
            "Fix it (the server log names the line), then restart the app. Until then nothing is shown, so "
            "that a deployment meant to have sign-in never opens in demo mode."
        ) from None


def auth_configured() -> bool:
    """True when [auth] is in the secrets: then everyone signs in and demo personas are never offered."""
    return _secrets_section("auth") is not None


def providers() -> list[str]:
    """The sign-in providers configured under [auth]: named [auth.NAME] sections, else 'default'."""
    section = _secrets_section("auth") or {}
    named = [
        name
        for name, value in section.items()
        if isinstance(value, Mapping) and name != "client_kwargs" and "client_id" in value
    ]
    if named:
        return named
    return ["default"] if "client_id" in section else []


def config_problem() -> str | None:
    """A sentence naming what [auth] lacks (key names only, never values), or None when it looks complete."""
    section = _secrets_section("auth") or {}
    missing = [key for key in ("redirect_uri", "cookie_secret") if not section.get(key)]
    names = providers()
    if not names:
        missing.append("a provider ([auth.google] with client_id, client_secret and server_metadata_url)")
    for name in names:
        keys = section if name == "default" else section[name]
        missing += [f"{'' if name == 'default' else name + '.'}{key}" for key in PROVIDER_KEYS if not keys.get(key)]
    redirect_uri = str(section.get("redirect_uri") or "")
    if redirect_uri and not redirect_uri.rstrip("/").endswith("/oauth2callback"):
        return "Sign-in is not set up correctly: [auth] redirect_uri must end with /oauth2callback. See docs/deploy.md."
    if missing:
        return f"Sign-in is not set up completely: [auth] in .streamlit/secrets.toml needs {', '.join(missing)}. See docs/deploy.md."
    return None


def role_lists(settings: Settings) -> dict:
    """Organiser and reviewer e-mail lists and the contact: secrets [roles] win over dashboard.toml [roles]."""
    lists: dict = {}
    for source in (dict(settings.section("roles")), dict(_secrets_section("roles") or {})):
        for key, value in source.items():
            if key in ROLE_LIST_KEYS:
                lists[key] = [value] if isinstance(value, str) else list(value)
            elif key == "contact":
                lists[key] = str(value)
    return lists


def contact(settings: Settings) -> str:
    """Whom to ask for access, from [roles] contact."""
    return role_lists(settings).get("contact") or DEFAULT_CONTACT


def inert(text: str) -> str:
    """Text from outside (an e-mail from the identity provider) as a Markdown code span: shown, never run."""
    return "`" + str(text).replace("`", "'") + "`"


def _user_value(key: str, default=None):
    try:
        return st.user.get(key, default)
    except Exception:
        return default


def is_signed_in() -> bool:
    """True when st.user holds a signed-in identity."""
    return bool(_user_value("is_logged_in", False))


def _is_true(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def email_is_verified() -> bool:
    """True when the provider says the e-mail is verified: email_verified true (a boolean or the string
    "true"), or Microsoft Entra ID's xms_edov (its tenant verified the e-mail's domain). Missing is not verified."""
    return _is_true(_user_value("email_verified")) or _is_true(_user_value("xms_edov"))


def signed_in_email() -> str | None:
    """The verified e-mail of the signed-in person, or None after drawing the sign-in screen."""
    if not is_signed_in():
        sign_in_screen()
        return None
    email = str(_user_value("email") or "").strip().lower()
    if not email or not email_is_verified():
        st.title("Mission Control")
        st.warning(
            "Your sign-in did not come with a verified e-mail address, so Mission Control cannot tell "
            "which program roles you have. Sign in with the account your organisers know."
        )
        st.button("Sign out", on_click=st.logout)
        return None
    return email


def sign_in_screen() -> None:
    """The only thing an anonymous visitor sees: what this is and a sign-in button per provider."""
    st.title("Mission Control")
    st.write(
        "This dashboard holds applications and wellbeing check-ins, so every visitor signs in. "
        "Use the account your program's organisers know."
    )
    problem = config_problem()
    if problem:
        st.error(problem)
        return
    for name in providers():
        label = "Sign in" if name == "default" else f"Sign in with {PROVIDER_LABELS.get(name, name.title())}"
        st.button(
            label,
            type="primary",
            on_click=st.login,
            args=() if name == "default" else (name,),
            key=f"sign_in_{name}",
            icon=":material/login:",
        )


def no_role_screen(email: str, settings: Settings) -> None:
    """A polite page for someone signed in but on no list: whom to ask, and no data at all."""
    st.title("Mission Control")
    st.info(
        f"You are signed in as {inert(email)}, but you do not have a role in this program yet. "
        f"Ask {contact(settings)} to add you as an organiser, reviewer, Captain or Navigator, "
        "then reload this page.",
        icon=":material/lock:",
    )
    st.button("Sign out", on_click=st.logout)


def sticky_selectbox(label: str, options: list[str], key: str, default: str, **kwargs) -> str:
    """A sidebar selectbox whose choice survives st.switch_page.

    st.switch_page clears every widget's state, the entrypoint's too, so the choice lives
    under a plain session-state key and the widget (key '_<key>') is re-seeded from it.
    """
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    widget_key = f"_{key}"
    st.session_state[widget_key] = st.session_state[key]

    def remember() -> None:
        st.session_state[key] = st.session_state[widget_key]

    st.selectbox(label, options, key=widget_key, on_change=remember, **kwargs)
    return st.session_state[key]


def demo_personas(people: pd.DataFrame, teams: pd.DataFrame) -> dict[str, access.Viewer]:
    """One persona per role from the demo people table, labelled for the 'viewing as' switcher."""
    lists = {
        "organisers": list(people.loc[people["role"] == "organiser", "email"]),
        "reviewers": list(people.loc[people["role"] == "reviewer", "email"]),
    }
    personas: dict[str, access.Viewer] = {}
    first = lambda frame: frame.iloc[0] if len(frame) else None  # noqa: E731
    organiser = first(people[people["role"] == "organiser"])
    reviewer = first(people[people["role"] == "reviewer"])
    team = first(teams.sort_values("name")) if len(teams) else None
    candidates = [
        ("Organiser", organiser["email"] if organiser is not None else None),
        ("Reviewer", reviewer["email"] if reviewer is not None else None),
    ]
    if team is not None:
        candidates.append((f"Captain of {team['name']}", team["captain"]))
        navigators = team["navigators"] or []
        if navigators:
            candidates.append((f"Navigator of {team['name']}", navigators[0]))
    for label, email in candidates:
        if email:
            viewer = access.roles_for(email, lists, people, teams)
            personas[label] = access.Viewer(**{**viewer.__dict__, "demo": True})
    return personas


def demo_viewer(personas: dict[str, access.Viewer], others_hidden: bool) -> access.Viewer:
    """Demo mode only: the persona (from demo_personas of a demo session) chosen in the 'viewing as' switcher."""
    if auth_configured():  # defence in depth: the entrypoint never asks in this case
        raise RuntimeError("demo personas are never offered once sign-in is configured")
    if not personas:  # a demo session without people: nobody to view it as
        return access.Viewer(email="nobody@demo", demo=True)
    labels = list(personas)
    with st.sidebar:
        chosen = sticky_selectbox(
            "Viewing as (demo mode)",
            labels,
            DEMO_VIEWER_KEY,
            labels[0],
            help="No sign-in is configured, so you can explore every role with the demo data. "
            "Configure [auth] in .streamlit/secrets.toml (docs/deploy.md) to turn this off.",
        )
        st.caption(
            ":material/science: Demo mode: sign-in is not configured, so only the bundled synthetic demo "
            "is shown, to anyone who can open this app, as any role."
            + (
                " This database holds other data too: it appears only after sign-in, or in local mode (docs/deploy.md)."
                if others_hidden
                else ""
            )
        )
    return personas[chosen]


# --- local mode: one person on the computer the app runs on ---------------------------------


def local_mode_requested() -> bool:
    """True when DASHBOARD_LOCAL_MODE is set to 1/true/yes/on."""
    return os.environ.get(LOCAL_MODE_VARIABLE, "").strip().lower() in {"1", "true", "yes", "on"}


def _loopback(host: str | None) -> bool:
    host = (host or "").strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_mode_problem() -> str | None:
    """Why local mode cannot be used for this visitor (one sentence), or None when it can.

    Streamlit must listen on a loopback address only, and this browser must connect from this
    computer, directly: not from another address, not through a proxy that forwards others.
    """
    address = str(st_config.get_option("server.address") or "")
    restart = "Start it with `make run` (it listens on 127.0.0.1), or set up sign-in to share it (docs/deploy.md)."
    if not _loopback(address):
        return (
            f"Local mode ({LOCAL_MODE_VARIABLE}) is off: Streamlit listens on "
            f"{address or 'every network interface'}, so other computers could open it. {restart}"
        )
    headers = st.context.headers
    forwarded = [name for name in FORWARDING_HEADERS if headers.get(name)]
    origin = urlsplit(headers.get("Origin") or "").hostname
    host = urlsplit(f"//{headers.get('Host')}").hostname if headers.get("Host") else None
    ip = st.context.ip_address  # None for a loopback peer; the TCP peer, or a forwarded address from a local proxy
    if (
        (isinstance(ip, str) and not _loopback(ip))
        or forwarded
        or (origin and not _loopback(origin))
        or (host and not _loopback(host))
    ):
        return (
            f"Local mode ({LOCAL_MODE_VARIABLE}) is only for a browser on the computer Mission Control runs on, "
            "and this one connects from elsewhere (or through a proxy). " + restart
        )
    return None


def local_viewer() -> access.Viewer:
    """The one person of local mode: an organiser, audited as local:<operating-system user>."""
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    return access.Viewer(email=f"local:{user}", roles=frozenset({access.ORGANISER}), name=user, local=True)


def locked_screen(has_data: bool, problem: str | None) -> None:
    """No sign-in, no local mode and no demo data to show: say why nothing is shown and what to do."""
    st.title("Mission Control")
    if problem:
        st.warning(problem, icon=":material/lock:")
    held = "holds a program's own data, and" if has_data else "has no data yet, and"
    st.info(
        f"This Mission Control {held} nothing but the bundled demo is shown without sign-in.\n\n"
        "**To share it with your program:** set up sign-in (`[auth]` in `.streamlit/secrets.toml`, see "
        "docs/deploy.md).\n\n"
        f"**To use it alone on this computer:** start it with `{LOCAL_MODE_VARIABLE}=1 make run`; it then "
        "listens on 127.0.0.1 only, and you are its organiser.\n\n"
        "**To explore the demo:** run `python -m dashboard demo` (add `--force` when the database already has "
        "sessions), then reload this page.",
        icon=":material/lock:",
    )
