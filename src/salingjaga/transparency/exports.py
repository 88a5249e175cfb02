"""Serialising a report: JSON as is, CSV as one figure per row.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) get a leading apostrophe (``salingjaga.core.csvsafe``, the writer
every CSV export uses): a policy name or partner name typed by someone else must never
become a formula on a regulator's machine (CSV injection). Numbers are written as numbers,
so negative figures stay numeric.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from salingjaga.core import csvsafe

CSV_HEADER = ("section", "dimension", "metric", "value")

csv_safe = csvsafe.neutralise  # the name this module has always exported


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(report: dict[str, Any]) -> str:
    """The report as indented UTF-8 JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False, default=_default, sort_keys=False)


def flatten(report: dict[str, Any]) -> Iterator[tuple[str, str, str, Any]]:
    """``(section, dimension, metric, value)`` for every scalar figure in the report.

    A nested path ``section/a/b/metric`` becomes dimension ``a/b``; list items that carry a
    ``day`` or ``name`` key use it as their dimension.
    """

    def walk(section: str, path: list[str], node: Any) -> Iterator[tuple[str, str, str, Any]]:
        if isinstance(node, dict):
            for key, child in node.items():
                yield from walk(section, [*path, str(key)], child)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, dict):
                    label = str(item.get("day") or item.get("name") or item.get("code") or i)
                    rest = {k: v for k, v in item.items() if k not in ("day", "name", "code")}
                    yield from walk(section, [*path, label], rest)
                else:
                    yield section, "/".join(path), str(i), item
        else:
            metric = path[-1] if path else section
            yield section, "/".join(path[:-1]), metric, node

    for section, body in report.items():
        if isinstance(body, dict | list):
            yield from walk(section, [], body)
        else:
            yield section, "", section, body


def to_csv(report: dict[str, Any]) -> str:
    """The report as CSV with a header row; every cell formula-safe."""
    buf = io.StringIO()
    writer = csvsafe.writer(buf, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in flatten(report):
        writer.writerow([_default(v) if isinstance(v, date | datetime) else v for v in row])
    return buf.getvalue()
