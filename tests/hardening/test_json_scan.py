"""The body checks every JSON request passes (nesting depth, NUL escapes) answer the same
on their fast paths (a body without backslashes, a body without ``\\u0000``) as the full
scans, including brackets and quotes inside strings."""

from __future__ import annotations

import json

import numpy as np

from salingjaga.auth.middleware import _NUL_ESCAPE, has_nul_escape
from salingjaga.core.inputlimits import _JSON_STRING, _STEP, json_depth


def _slow_depth(body: bytes) -> int:
    steps = _STEP[np.frombuffer(_JSON_STRING.sub(b"", body), dtype=np.uint8)]
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0)) if steps.size else 0


def test_depth_without_escapes_equals_the_full_scan():
    bodies = [b'[]', b'{"a": "]]]]", "b": [[[]]]}', b'["[[[[", [[1]]]', b'"x"', b"12",
              json.dumps([{"type": "guide_view", "user": "u-]", "at": "2024"}] * 50).encode(),
              b"[" * 70 + b"]" * 70, b'["' + b"[" * 70 + b'"]', b'[{"k": "}}}}"}, [[["{"]]]]',
              b'["unterminated [[[']
    for body in bodies:
        assert json_depth(body) == _slow_depth(body), body
    assert json_depth(b'["[[[[", [[1]]]') == 3
    # with escapes the full scan runs: an escaped quote does not end the string
    assert json_depth(b'["a\\"[[[[", [1]]') == 2


def test_nul_escape_check_equals_the_expression():
    bodies = [b'{"a": "x\\u0000"}', b'{"a": "x\\\\u0000"}', b'{"a": "x\\\\\\u0000"}', b'{"a": 1}',
              b'{"a": "u0000"}', b'{"a": "\\\\"}']
    for body in bodies:
        assert has_nul_escape(body) == (_NUL_ESCAPE.search(body) is not None), body
    assert has_nul_escape(b'{"a": "x\\u0000"}') and not has_nul_escape(b'{"a": "x\\\\u0000"}')
