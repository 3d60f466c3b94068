"""Who is looking: Streamlit's OpenID Connect sign-in, or demo personas when none is configured."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import access
from dashboard.config import Settings

DEMO_VIEWER_KEY = "demo_viewer"


def auth_configured() -> bool:
    """True when [auth] is in .streamlit/secrets.toml: then demo personas are never offered."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def role_lists(settings: Settings) -> dict:
    """Organiser and reviewer e-mail lists: secrets [roles] win over dashboard.toml [roles]."""
    lists = dict(settings.section("roles"))
    try:
        if "roles" in st.secrets:
            lists.update({k: list(v) for k, v in st.secrets["roles"].items()})
    except Exception:
        pass
    return lists


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
    candidates = [("Organiser", organiser["email"] if organiser is not None else None),
                  ("Reviewer", reviewer["email"] if reviewer is not None else None)]
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


def current_viewer(settings: Settings, people: pd.DataFrame, teams: pd.DataFrame) -> access.Viewer | None:
    """The viewer for this run, or None after drawing a sign-in or 'ask for access' screen."""
    if auth_configured():
        if not st.user.is_logged_in:
            st.title("Mission Control")
            st.write("Sign in to see your program's dashboard.")
            st.button("Sign in", type="primary", on_click=st.login)
            return None
        viewer = access.roles_for(str(st.user.get("email", "")), role_lists(settings), people, teams)
        if not viewer.roles:
            contact = settings.section("roles").get("contact", "an organiser of your program")
            st.title("Mission Control")
            st.info(f"You are signed in as {viewer.email}, but you have no role in this program yet. "
                    f"Ask {contact} to add you as an organiser, reviewer, Captain or Navigator.")
            st.button("Sign out", on_click=st.logout)
            return None
        return viewer
    personas = demo_personas(people, teams)
    if not personas:  # an empty database: the organiser view explains what to do
        return access.Viewer(email="organiser@demo", roles=frozenset({access.ORGANISER}), demo=True)
    labels = list(personas)
    if st.session_state.get(DEMO_VIEWER_KEY) not in labels:
        st.session_state[DEMO_VIEWER_KEY] = labels[0]
    with st.sidebar:
        st.selectbox("Viewing as (demo mode)", labels, key=DEMO_VIEWER_KEY,
                     help="No sign-in is configured, so you can explore every role. "
                          "Configure [auth] in .streamlit/secrets.toml to turn this off.")
    return personas[st.session_state[DEMO_VIEWER_KEY]]
