"""Serializes `ast.parse` in the interpreter of the spec tools (target/spec-venv).

CPython keeps the AST constructor's recursion depth per interpreter, not per call, so two threads
building ASTs at once can fail with "SystemError: AST constructor recursion depth mismatch"
(python/cpython#106905; seen here with 3.11.7). Hypothesis parses the source of lambdas when it
describes strategies, and schemathesis runs it in `--workers` threads, so a run failed at random with a
"Runtime Error" that says nothing about the API. One lock around `ast.parse` removes the race; parsing
happens a handful of times per run, so it costs nothing.

scripts/spec-check copies this module into the venv with a `serial_ast.pth` that imports it at start-up.
"""

import ast
import threading

_lock = threading.Lock()
_parse = ast.parse


def _serial_parse(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)


ast.parse = _serial_parse
