"""One `ast.parse` at a time, on the Pythons where two at once can fail.

CPython 3.11.0-3.11.7 and 3.12.0-3.12.1 keep the AST constructor's recursion counter in state shared by every
thread (python/cpython#106905, fixed in 3.11.8 and 3.12.2). When the garbage collector lets another thread run
in the middle of building a tree and that thread parses too, one of them fails with "SystemError: AST constructor
recursion depth mismatch". A Streamlit server parses on several threads: each page script on its first open
(Streamlit's "magic"), and Altair's first import on any thread (jsonschema's grammar library calls
`ast.literal_eval` thousands of times), which the warm-up does beside the first visitor's page.
"""

from __future__ import annotations

import ast
import functools
import sys
import threading

AFFECTED = (3, 11) <= sys.version_info[:3] < (3, 11, 8) or (3, 12) <= sys.version_info[:3] < (3, 12, 2)
_lock = threading.RLock()


def install() -> None:
    """Make `ast.parse` (and so `ast.literal_eval`) take a lock on an affected Python; once per process."""
    if not AFFECTED or getattr(ast.parse, "one_at_a_time", False):
        return
    parse = ast.parse

    @functools.wraps(parse)
    def one_at_a_time(*args, **kwargs):
        with _lock:
            return parse(*args, **kwargs)

    one_at_a_time.one_at_a_time = True
    ast.parse = one_at_a_time
