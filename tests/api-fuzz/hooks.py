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


# Text with NUL or another control character (tab and line breaks excepted) is refused with 422
# `control_character` wherever it comes (JSON strings and keys, path, query, CSV cells): a rule of
# every string the document does not restate on each field (docs/API.md). Generated valid requests
# holding such text are therefore not valid ones; the integration tests (tests/api/input.rs and
# hardening.rs) check the refusal on both databases.
import re

import schemathesis

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _has_control(value):
    if isinstance(value, str):
        return _CONTROL.search(value) is not None
    if isinstance(value, (bytes, bytearray)):
        return _CONTROL.search(value.decode("latin-1")) is not None
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_control(v) for v in value)
    return False


@schemathesis.hook
def filter_case(context, case):
    mode = getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", None)
    if mode is not None and str(getattr(mode, "value", mode)) == "negative":
        return True
    return not any(_has_control(part) for part in (case.body, case.query, case.path_parameters))
