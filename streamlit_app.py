"""Mission Control: sign-in, session choice, then each role's pages (st.navigation)."""
import streamlit as st

import dashboard.theme  # noqa: F401  (enables the shared Altair theme)
from dashboard import access, db, store
from dashboard.config import ConfigError, load_settings
from dashboard.ui import auth, context, data, widgets

st.set_page_config(page_title="Mission Control", page_icon=":material/rocket_launch:", layout="wide")


@st.cache_resource(show_spinner="Preparing the database...")
def prepare_database(url: str) -> None:
    """Create or upgrade the schema once per server process."""
    db.migrate(url)


try:
    settings = load_settings()
except ConfigError as exc:
    st.error(str(exc))
    st.stop()
url = settings.database_url
prepare_database(url)

sessions = store.sessions_frame(url)  # one small query per rerun: names and data versions
session = None
if len(sessions):
    names = list(sessions["name"])
    default = settings.session_name if settings.session_name in names else names[-1]
    with st.sidebar:
        chosen = st.selectbox("Session", names, index=names.index(default), key="session_name")
    session = sessions[sessions["name"] == chosen].iloc[0].to_dict()

if session is not None:
    people = data._table(url, int(session["id"]), "people", int(session["data_version"]))
    teams = data._table(url, int(session["id"]), "teams", int(session["data_version"]))
else:
    people = store.load_table(url, -1, "people")
    teams = store.load_table(url, -1, "teams")

viewer = auth.current_viewer(settings, people, teams)
if viewer is None:
    st.stop()

ctx = context.PageContext(settings=settings, url=url, session=session, viewer=viewer)
context.set_current(ctx)


def nothing_for_your_role() -> None:
    st.title("Mission Control")
    st.info("There is no page for your role in this session yet. Ask an organiser if you expected one.")


allowed = access.pages_for(viewer)
# Demo personas change within one browser session. Streamlit forgets the sidebar's state when
# the page being viewed disappears from the navigation, so in demo mode every page stays
# registered and the ones this persona may not open are hidden (page_context still refuses
# them). With real sign-in the viewer never changes, and the navigation holds only their pages.
shown = access.PAGES if viewer.demo else allowed
pages = [
    st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.key, default=bool(allowed) and spec == allowed[0],
            visibility="visible" if spec in allowed else "hidden")
    for spec in shown
]
if not allowed:
    pages = [st.Page(nothing_for_your_role, title="Welcome", url_path="welcome")]
navigation = st.navigation(pages)
with st.sidebar:
    st.caption(f"Signed in as {viewer.email}" if not viewer.demo else "Demo mode: no sign-in configured.")
    if auth.auth_configured():
        st.button("Sign out", on_click=st.logout)
if viewer.demo and session is not None and data.is_demo(ctx):
    widgets.demo_banner(ctx)
try:
    navigation.run()
except Exception as exc:  # never a traceback on screen
    widgets.page_failed(exc)
