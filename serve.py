"""What `make run` serves: streamlit_app.py, with its caches warmed from the moment the server starts.

    streamlit run serve.py

`streamlit run streamlit_app.py` serves the same app, warmed only after its first visitor's page.
"""

import streamlit as st


def lifespan(app):
    """dashboard.ui.warmup.lifespan, imported once the server's runtime exists (the caches it fills are the runtime's)."""
    from dashboard.ui import warmup

    return warmup.lifespan(app)


app = st.App("streamlit_app.py", lifespan=lifespan)
