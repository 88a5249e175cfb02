"""The hostile-input corpus: payloads as data, each with what the API owes it.

Every entry is sent to every write endpoint by ``test_hostile_corpus.py``. ``reject``
entries are wrong whatever the endpoint expects (too deep, too big, not UTF-8, NUL, the
wrong type), so an endpoint that takes a body must answer them with a 4xx in the one error
shape; the others (formula cells, path tricks in names) may be legitimate text, so they may
be taken, but never with a 5xx. Adding a case is adding a row to ``CORPUS``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

# Bodies over this are refused by the body limit; the corpus app runs with it (small, so
# the oversize case stays cheap to send to every endpoint).
BODY_LIMIT = 1024 * 1024

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass(frozen=True)
class Payload:
    """One hostile request body: raw bytes with a content type, or a multipart upload."""

    name: str
    content_type: str | None
    body: bytes = b""
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    reject: bool = True


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


# Field names most write schemas use, so that hostile values reach real fields.
_FIELDS = ("name", "explanation", "caption", "reason", "facts", "url", "policy", "handle", "platform_id",
           "title", "body", "claim", "contact", "filename")


def _object(value: object) -> bytes:
    return _json(dict.fromkeys(_FIELDS, value))


CORPUS: list[Payload] = [
    Payload("deep array", "application/json", b"[" * 1000 + b"]" * 1000),
    Payload("deep object", "application/json", b'{"a":' * 1000 + b"1" + b"}" * 1000),
    Payload("deep, untyped body", None, b"[" * 5000 + b"]" * 5000),
    Payload("deep inside a field", "application/json", _object(json.loads("[" * 100 + "]" * 100))),
    Payload("huge strings", "application/json", _json(dict.fromkeys(_FIELDS[:4], "x" * 200_000))),
    Payload("oversize body", "application/json", _json({"name": "x" * (BODY_LIMIT + 10)})),
    Payload("NUL escape", "application/json", _object("a\u0000b")),
    Payload("raw NUL byte", "application/json", b'{"name": "a\x00b"}'),
    Payload("invalid UTF-8", "application/json", b'{"name": "\xff\xfe\xfd"}'),
    Payload("lone surrogate", "application/json", b'{"name": "\\ud800"}'),
    Payload("truncated JSON", "application/json", b'{"name": '),
    Payload("wrong types", "application/json", _json({f: [1, {"x": None}] for f in _FIELDS})),
    Payload("a list, not an object", "application/json", _json([1, "two", None, True])),
    Payload("a bare scalar", "application/json", b'"just text"'),
    Payload("5,000-digit number", "application/json", b'{"views": 1' + b"0" * 5000 + b"}"),
    Payload("huge float", "application/json", b'{"views": 1e999, "shares": -1e999}'),
    Payload("CSV bomb (columns)", "text/csv", (",".join(f"c{n}" for n in range(20_000)) + "\n").encode()),
    Payload("CSV bomb (one endless quoted cell)", "text/csv", b'url,policy\n"' + b"x" * 150_000),
    Payload("CSV invalid UTF-8", "text/csv", b"url,policy,explanation\nhttps://v.example/1,misinformation,\xff\n"),
    Payload("XML where JSON belongs", "application/xml", b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>"),
    # may be legitimate text: taken or refused, never a 5xx
    Payload("formula cells", "application/json", _object('=HYPERLINK("http://evil.example","x")'), reject=False),
    Payload("formula cells in CSV", "text/csv",
            b"url,policy,explanation,good_faith\n=cmd|' /C calc'!A0,misinformation,@SUM(1+1),true\n",
            reject=False),
    Payload("path traversal names", "application/json", _object("../../../../etc/passwd"), reject=False),
    Payload("path traversal upload", "multipart/form-data",
            files={"file": ("../../../../etc/passwd\x00.png", PNG, "image/png")}, reject=False),
    Payload("hostile form fields", "multipart/form-data",
            form=dict.fromkeys(("name", "explanation", "reason", "facts", "content"), "a\x00b" + "=1+1" * 10_000),
            reject=False),
]
