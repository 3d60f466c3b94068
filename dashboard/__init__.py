"""Mission Control: the dashboard core for a contributor mentorship program.

Everything here is importable without Streamlit (except ``dashboard.ui``) so it can be used
from the CLI, notebooks and tests.
"""
