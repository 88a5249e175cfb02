"""Limits on hostile input that the parsers themselves do not enforce.

Python's ``json`` module recurses once per nesting level, so a body of a thousand ``[``
raises ``RecursionError`` (a 500) in any code that parses JSON itself, and pydantic and the
JSON columns recurse again for what gets through. ``json_depth`` measures nesting without
parsing, cheaply enough to run on every JSON request body (``auth.middleware.GuardJson``)
and on JSON files uploaded in forms. The ``csv`` module refuses fields over its own limit
by raising mid-file; ``notices.bulk`` turns that into an error for the one row.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from salingjaga.core.errors import NUL_MESSAGE as NUL_MESSAGE  # kept where the reasons know it
from salingjaga.core.errors import Invalid

# Far deeper than any document the API takes (a bulk file is five levels deep), far below
# the interpreter's recursion limit (1,000 frames, shared with the stack already in use).
MAX_JSON_DEPTH = 64

# A JSON string, escapes included: its brackets are text, not structure. Written as
# "unrolled loop" (runs of plain characters between escapes): a third faster than
# alternating per character, and linear on any input.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STEP = np.zeros(256, dtype=np.int8)
_STEP[list(b"[{")] = 1
_STEP[list(b"]}")] = -1


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar).

    Strings are cut out first, then the brackets that remain are summed as +1/-1 steps
    with numpy: a 10 MB body takes milliseconds and no recursion. Without escapes, and
    with every string closed, each quote opens or closes a string, so the text outside
    strings is every other piece between quotes (a split at C speed); otherwise a regex
    cuts them out (~3 us a string: 20 ms for a batch of a thousand objects). Malformed
    JSON gets a number too; the parser refuses it afterwards."""
    pieces = body.split(b'"') if b"\\" not in body else []
    split = len(pieces) % 2 == 1  # an even number of quotes: every string closed
    structure = b"".join(pieces[::2]) if split else _JSON_STRING.sub(b"", body)
    steps = _STEP[np.frombuffer(structure, dtype=np.uint8)]
    if not steps.size:
        return 0
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests deeper than ``limit``; a body with no more brackets than
    the limit (nearly every request) is answered by two counts, without a scan."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    return json_depth(body) > limit


def too_deep_message(limit: int = MAX_JSON_DEPTH) -> str:
    """What a caller is told when a JSON document nests too deeply."""
    return f"JSON nested more than {limit} levels deep; flatten the document"


def loads_limited(data: bytes | str, *, what: str = "body") -> Any:
    """``json.loads`` for input from outside: too deep is a 422, malformed a 400, both with
    a message naming ``what`` was wrong, never a ``RecursionError``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if json_too_deep(raw):
        raise Invalid(f"{what}: {too_deep_message()}", code="too_deep", reason="json.too_deep",
                      params={"n": MAX_JSON_DEPTH})
    try:
        return json.loads(raw)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an integer of 5,000 digits
        detail = f": {exc.msg} (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise Invalid(f"{what} is not valid JSON{detail}", status=400, code="malformed_json",
                      reason="json.invalid") from exc
    except RecursionError as exc:  # belt and braces: the depth check should have caught it
        raise Invalid(f"{what}: {too_deep_message()}", code="too_deep", reason="json.too_deep",
                      params={"n": MAX_JSON_DEPTH}) from exc


def has_nul(value: str) -> bool:
    """Whether text carries a NUL character, which PostgreSQL cannot store in text."""
    return "\x00" in value




# Yes and no as text (CSV cells, form fields), in English and Indonesian. Anything else is
# refused rather than guessed: a declaration must be made, not inferred from "y" or "on".
TEXT_TRUE = ("true", "1", "ya", "yes")
TEXT_FALSE = ("false", "0", "tidak", "no")


def text_bool(value: str, field: str) -> bool:
    """A yes/no written as text (case and surrounding spaces ignored); any other value,
    the empty one included, is a 422 naming ``field`` and the accepted words."""
    word = value.strip().lower()
    if word in TEXT_TRUE:
        return True
    if word in TEXT_FALSE:
        return False
    shown = repr(value[:20]) if value.strip() else "empty"
    raise Invalid(f"{field}: {shown} is not a yes/no value; write one of "
                  f"{'/'.join(TEXT_TRUE)} or {'/'.join(TEXT_FALSE)}", reason="input.not_yes_no",
                  params={"field": field})
