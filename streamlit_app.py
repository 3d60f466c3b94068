"""Mission Control: sign-in, session choice, then each role's pages (st.navigation)."""

import streamlit as st

from dashboard import access, reads
from dashboard.config import ConfigError, load_settings
from dashboard.sessions import Session
from dashboard.ui import auth, context, loaders, threadsafe_ast, warmup, widgets

threadsafe_ast.install()  # page scripts are parsed on several threads, beside the warm-up's

st.set_page_config(page_title="Mission Control", page_icon=":material/rocket_launch:", layout="wide")


# Read the secrets first: Streamlit exports top-level secrets (DASHBOARD_DATABASE_URL on hosts
# without environment variables) to os.environ when it loads them.
try:
    signing_in = auth.auth_configured()
    settings = load_settings()
except (auth.SecretsUnreadable, ConfigError) as exc:
    st.error(widgets.md_text(exc))
    st.stop()
url = settings.database_url
try:
    loaders.prepare_database(url)
    sessions = reads.sessions_frame(url)  # one small query per rerun: names and data versions
except Exception as exc:  # the URL may hold a password: log the error, never show it
    widgets.log.exception("database unavailable", exc_info=exc)
    st.error(
        "Mission Control cannot open its database. Check DASHBOARD_DATABASE_URL (or [database] url in "
        "dashboard.toml) and that the database server is reachable, then reload this page."
    )
    st.stop()


@st.cache_data(show_spinner=False, max_entries=256)
def roles_in(url: str, session_id: int, version: int, email: str, lists: dict) -> access.Viewer:
    """A signed-in e-mail's roles in one session, worked out once per data version."""
    return access.roles_for(email, lists, *loaders.people_and_teams(url, session_id, version))


@st.cache_data(show_spinner=False, max_entries=64)
def demo_personas(url: str, session_id: int, version: int) -> dict[str, access.Viewer]:
    """The demo mode's personas of one session, worked out once per data version."""
    return auth.demo_personas(*loaders.people_and_teams(url, session_id, version))


def ids(row) -> tuple[int, int]:
    return (-1, 0) if row is None else (int(row["id"]), int(row["data_version"]))


def choose_session(names: list[str]) -> Session | None:
    """The session picker (only ever offered sessions this viewer has a role in)."""
    if not names:
        return None
    default = settings.session_name if settings.session_name in names else names[-1]
    with st.sidebar:
        chosen = auth.sticky_selectbox("Session", names, "session_name", default)
    return Session.from_row(rows[chosen])


rows = {row["name"]: row for row in sessions.to_dict("records")}
local_problem = None
if signing_in:
    # Real sign-in: nothing about the program (not even session names) is drawn before it.
    email = auth.signed_in_email()
    if email is None:
        st.stop()
    lists = auth.role_lists(settings)
    viewers = {name: roles_in(url, *ids(row), email, lists) for name, row in rows.items()}
    available = [name for name, who in viewers.items() if who.roles]
    viewer = viewers[available[0]] if available else roles_in(url, *ids(None), email, lists)
    if not viewer.roles or (rows and not available):
        auth.no_role_screen(email, settings)
        st.stop()
    session = choose_session(available)
    if session is not None:
        viewer = viewers[session.name]
elif auth.local_mode_requested() and (local_problem := auth.local_mode_problem()) is None:
    available = list(rows)  # one person on this computer: the organiser of everything
    viewer = auth.local_viewer()
    session = choose_session(available)
else:
    # Demo mode: the switcher only ever shows sessions that hold nothing but the bundled demo.
    demo_ids = reads.demo_session_ids(url)
    available = [name for name, row in rows.items() if int(row["id"]) in demo_ids]
    if not available:
        auth.locked_screen(has_data=bool(rows), problem=local_problem)
        st.stop()
    if local_problem:
        st.sidebar.warning(local_problem, icon=":material/lock:")
    session = choose_session(available)
    viewer = auth.demo_viewer(
        demo_personas(url, session.id, session.data_version), others_hidden=len(available) < len(rows)
    )

ctx = context.PageContext(
    settings=settings,
    url=url,
    session=session,
    viewer=viewer,
    session_ids=tuple(int(rows[name]["id"]) for name in available),
)
context.set_current(ctx)


def nothing_for_your_role() -> None:
    st.title("Mission Control")
    st.info("There is no page for your role in this session yet. Ask an organiser if you expected one.")


allowed = access.pages_for(viewer)


def first_page() -> None:
    """The root URL opens the viewer's first page. Streamlit serves its default page at / whatever
    its url_path, so no real page is the default: /overview and /review stay links one can share."""
    st.switch_page(allowed[0].path)


# Demo personas change within one browser session. Streamlit forgets the sidebar's state when
# the page being viewed disappears from the navigation, so in demo mode every page stays
# registered and the ones this persona may not open are hidden (page_context still refuses
# them). With real sign-in the viewer never changes, and the navigation holds only their pages.
shown = access.PAGES if viewer.demo else allowed
pages = [st.Page(first_page, title="Mission Control", default=True, visibility="hidden")] + [
    st.Page(
        spec.path,
        title=spec.title,
        icon=spec.icon,
        url_path=spec.key,
        visibility="visible" if spec in allowed else "hidden",
    )
    for spec in shown
]
if not allowed:
    pages = [st.Page(nothing_for_your_role, title="Welcome", url_path="welcome")]
navigation = st.navigation(pages)
if viewer.local:
    widgets.local_banner()
elif not viewer.demo:
    with st.sidebar:
        st.caption(
            f"Signed in as {auth.inert(viewer.email)} · {', '.join(r.title() for r in access.ROLE_ORDER if r in viewer.roles)}"
        )
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")
if viewer.demo and session is not None:
    widgets.demo_banner(ctx)
try:
    navigation.run()
except Exception as exc:  # never a traceback on screen
    widgets.page_failed(exc)
# After the page is drawn, so it never waits for this: the caches of this viewer's other pages fill.
warmup.start(ctx)
