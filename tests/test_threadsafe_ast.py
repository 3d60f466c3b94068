"""Two threads parsing at once on a Python with CPython's shared AST recursion counter (python/cpython#106905).

This is how a fresh server crashed a bookmarked page: Streamlit parsed the page script while the warm-up's
Altair import ran `ast.literal_eval` thousands of times, and one failed with "AST constructor recursion depth
mismatch". The race needs the garbage collector to run Python code in the middle of building a tree, so the
script below makes it do that often (in a subprocess: its GC settings stay there).
"""

import subprocess
import sys

import pytest

from dashboard.ui import threadsafe_ast
from tests.apptest_support import ROOT

RACE = """
import ast, gc, sys, threading
from dashboard.ui import threadsafe_ast
if sys.argv[1] == "install":
    threadsafe_ast.install()
gc.set_threshold(50, 1, 1)
sys.setswitchinterval(1e-6)
page = open("app_pages/selection.py").read()
failures = []

class Finalised:
    def __del__(self):
        sum(range(50))

def garbage():
    cycle = Finalised()
    cycle.itself = cycle

def parse_pages():
    for _ in range(150):
        try:
            ast.parse(page)
        except SystemError as exc:
            failures.append(exc)
        garbage()

def literal_evals():
    for _ in range(15000):
        try:
            ast.literal_eval("('a', ['b', 1, {'c': 2}])")
        except SystemError as exc:
            failures.append(exc)
        garbage()

threads = [threading.Thread(target=parse_pages), threading.Thread(target=literal_evals)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(len(failures))
"""


def failures(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", RACE, mode], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


@pytest.mark.skipif(not threadsafe_ast.AFFECTED, reason=f"Python {sys.version.split()[0]} builds ASTs per thread")
def test_parsing_on_two_threads_never_fails_once_installed():
    assert failures("install") == 0


def test_install_leaves_parse_working_and_is_idempotent():
    import ast

    threadsafe_ast.install()
    first = ast.parse
    threadsafe_ast.install()
    assert ast.parse is first
    assert ast.literal_eval("[1, {'a': 2}]") == [1, {"a": 2}]
    assert isinstance(ast.parse("x = 1").body[0], ast.Assign)
