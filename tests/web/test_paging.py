"""The pager of long lists: which rows a page shows, and links that keep the filters."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from salingjaga.web.paging import pager


def test_pages_cover_every_row_once_and_keep_the_filters() -> None:
    first = pager("/portal", QueryParams("status=decided&done=filed"), 1234, 200)
    assert (first.number, first.pages, first.first, first.last) == (1, 7, 1, 200)
    assert first.previous is None and first.next == "/portal?status=decided&page=2"
    second = pager("/portal", QueryParams("status=decided&page=2"), 1234, 200)
    assert (second.first, second.last, second.offset) == (201, 400, 200)
    assert second.previous == "/portal?status=decided"  # page 1 carries no number
    last = pager("/portal", QueryParams("page=7"), 1234, 200)
    assert (last.first, last.last, last.next) == (1201, 1234, None)
    seen = set()
    for n in range(1, first.pages + 1):
        p = pager("/portal", QueryParams(f"page={n}"), 1234, 200)
        seen |= set(range(p.first, p.last + 1))
    assert seen == set(range(1, 1235))


def test_a_page_past_the_end_or_malformed_is_a_real_page() -> None:
    assert pager("/console", QueryParams("page=99&due=1h"), 250, 200).number == 2
    assert pager("/console", QueryParams("page=-3"), 250, 200).number == 1
    assert pager("/console", QueryParams("page=abc"), 250, 200).number == 1
    empty = pager("/console", QueryParams("policy=misinformation"), 0, 200)
    assert (empty.pages, empty.first, empty.last, empty.next, empty.previous) == (1, 0, 0, None, None)
