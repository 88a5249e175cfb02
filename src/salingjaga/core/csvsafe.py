"""CSV the product writes is inert in a spreadsheet: the one writer every export uses.

Captions, partner names and policy labels are typed by people we do not control. A cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` leaks data, DDE runs commands), so
such a cell gets a leading apostrophe, which spreadsheets show as text and hide.

A cell that already starts with apostrophes followed by such a character gets one more, so
``restore_cell`` (for readers of our own exports, e.g. ``salingjaga train`` reading
``salingjaga export-training``) gives back exactly the original text. Numbers stay numbers,
so negative figures keep their sign and stay numeric.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell value made inert for spreadsheets; numbers pass through, None is empty and
    booleans are ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.lstrip("'").startswith(FORMULA_START):
        return "'" + text
    return text


def restore_cell(text: str) -> str:
    """The original text of a cell ``neutralise`` wrote (the inverse for any string)."""
    if text.startswith("'") and text[1:].lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``neutralise``."""

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, every cell neutralised."""
        self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows, every cell neutralised."""
        for row in rows:
            self.writerow(row)


def writer(stream: IO[str], **kwargs: Any) -> SafeWriter:
    """A CSV writer for anything the product exports (same arguments as ``csv.writer``)."""
    return SafeWriter(stream, **kwargs)
