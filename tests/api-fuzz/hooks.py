"""Schemathesis hooks for tests/api-fuzz/run (loaded through `hooks` in schemathesis.toml).

CPython 3.11 tracks the AST constructor's recursion depth in state that all threads share, so two
threads in `ast.parse` at once can fail with `SystemError: AST constructor recursion depth
mismatch` (python/cpython#106905). Hypothesis parses schemathesis' own sources to describe filter
lambdas, in whichever worker needs one first; with `--workers 2` the two sometimes collide and the
operation is reported as a runtime error. Parsing one at a time avoids that.
"""

import ast
import threading

_lock = threading.Lock()
_parse = ast.parse


def _parse_one_at_a_time(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time
