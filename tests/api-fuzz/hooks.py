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
from urllib.parse import unquote

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


# Text is trimmed before it is read: its length is counted without surrounding whitespace and
# blank text is refused (422), where a value is required (docs/API.md). The document states the
# lengths as plain `minLength`/`maxLength` and leaves these two rules to descriptions; so a valid
# request holding blank text is not a valid one, and an invalid one whose only fault is a length
# that surrounding whitespace makes too long is not an invalid one.
def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _has_blank(value):
    return any(s != "" and s.strip() == "" for s in _strings(value))


def _has_padding(value):
    return any(s != s.strip() for s in _strings(value))


# Path parameters reach the hook percent-encoded (`%08` for a backspace): they are checked as the
# server reads them, decoded.
def _decoded(path_parameters):
    if not isinstance(path_parameters, dict):
        return path_parameters
    return {k: unquote(v) if isinstance(v, str) else v for k, v in path_parameters.items()}


@schemathesis.hook
def filter_case(context, case):
    parts = (case.body, case.query, _decoded(case.path_parameters))
    mode = getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", None)
    if mode is not None and str(getattr(mode, "value", mode)) == "negative":
        # A negative case whose mutation left it schema-valid is judged as a valid one (ST202):
        # with a control character in it, the server's 422 would be reported as a refusal of
        # valid data (a stateful run found one: `title_en` of a program, "\u009b…").
        return not any(_has_padding(part) or _has_control(part) for part in parts)
    return not any(_has_control(part) or _has_blank(part) for part in parts)
