"""Pages of a long list. A list a home figure links to states its total and shows it in
pages of ``PAGE_SIZE`` rows, with previous and next links that keep the list's filters,
so following the pages reaches every row the figure counts.

The lists order by an indexed key and take the page by offset: the page number is what a
person can bookmark and share ("page 3 of the overdue cases"), and the lists are ones a
person pages through, a few hundred rows at a time, not a feed read to the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

PAGE_SIZE = 200


@dataclass(frozen=True)
class Pager:
    """Which rows of ``total`` one page shows (``number`` counts from 1) and the links to
    its neighbours, each carrying the list's other query parameters."""

    path: str
    number: int
    size: int
    total: int
    keep: tuple[tuple[str, str], ...] = ()

    @property
    def pages(self) -> int:
        """How many pages the rows fill (at least one, empty or not)."""
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The first row shown (1-based; 0 when there are none)."""
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        """The last row shown."""
        return min(self.offset + self.size, self.total)

    def href(self, number: int) -> str:
        """The address of page ``number`` with the same filters (page 1 carries no number)."""
        params = [*self.keep, *((("page", str(number)),) if number > 1 else ())]
        return self.path + ("?" + urlencode(params) if params else "")

    @property
    def previous(self) -> str | None:
        """The page before, or None on the first."""
        return self.href(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        """The page after, or None on the last."""
        return self.href(self.number + 1) if self.number < self.pages else None


def page_number(params: QueryParams) -> int:
    """The page asked for (``?page=``): a missing, malformed or non-positive number is 1."""
    raw = params.get("page") or ""
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def pager(path: str, params: QueryParams, total: int, size: int = PAGE_SIZE) -> Pager:
    """The page of a list of ``total`` rows that ``params`` asks for: a number past the
    last page shows the last (a list that shrank while a person paged keeps showing rows).
    Every non-empty parameter but ``page`` is kept in the neighbours' links."""
    keep = tuple((k, v) for k, v in params.multi_items() if k not in ("page", "done") and v)
    last = max(1, -(-total // size))
    return Pager(path, min(page_number(params), last), size, total, keep)
