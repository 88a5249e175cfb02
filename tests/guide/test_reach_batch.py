"""The per-event work on a reach batch, without a database: the grouped rule counts and
ignores exactly what the rule applied event by event does, the visitor pseudonym is
HMAC-SHA256, and WIB days are right across midnight and for naive instants."""

from __future__ import annotations

import hmac
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

from salingjaga.guide.reach_batch import (
    METRIC_OF,
    NONE,
    Batch,
    Placement,
    Tally,
    VisitorHasher,
    accepted_days,
    classify,
    wib_days,
)
from salingjaga.guide.schemas import EventColumns
from salingjaga.guide.service import wib_day


def per_event(batch: Batch, days: list[date], tagged: dict[str, Placement], today: date) -> tuple[
        Counter[tuple[date, str, str, str]], set[tuple[date, str, str | None, str]], list[dict[str, object]]]:
    """The counting rule applied to one event at a time, as the API documents it."""
    earliest, latest = accepted_days(today)
    counts: Counter[tuple[date, str, str, str]] = Counter()
    visits: set[tuple[date, str, str | None, str]] = set()
    ignored: list[dict[str, object]] = []
    for i in range(len(batch)):
        day, kind, content_id = days[i], batch.type[i], batch.content_id[i]
        if not earliest <= day <= latest:
            ignored.append({"index": i, "reason": "'at' is not within the last 7 days"})
            continue
        tag = tagged.get(content_id) if content_id else None
        if kind == "content_view" and tag is None:
            ignored.append({"index": i, "reason": "the content item carries no notice tag"})
            continue
        election = batch.election[i] or (tag[0] if tag else None)
        if election is None:
            ignored.append({"index": i, "reason": "no election: name one or send a tagged content_id"})
            continue
        region = batch.region[i] or (tag[1] if tag else None)
        counts[(day, election, region or NONE, METRIC_OF[kind])] += 1
        if kind == "guide_view":
            visits.add((day, election, region, batch.user[i]))
    return counts, visits, ignored


def test_grouped_counting_matches_the_rule_event_by_event():
    rng = random.Random(7)
    now = datetime.now(UTC)
    today = wib_day(now)
    tagged: dict[str, Placement] = {f"vid-{i}": ("pilkada-2024", rng.choice(["32.73", "35.78", None]))
                                    for i in range(40)}
    tagged.update({f"pemilu-{i}": ("pemilu-2024", "31") for i in range(5)})
    for _ in range(30):
        n = rng.randint(1, 400)
        columns = {"type": [], "user": [], "at": [], "election": [], "region": [], "content_id": []}
        for _i in range(n):
            kind = rng.choice(list(METRIC_OF))
            columns["type"].append(kind)
            columns["user"].append(f"u-{rng.randint(1, 60)}")
            columns["at"].append(now - timedelta(days=rng.choice([0, 0, 0, 1, 9])))
            columns["election"].append(rng.choice([None, None, "pemilu-2024", "pilkada-2024"]))
            columns["region"].append(rng.choice([None, None, "32.73", "32", "51.71"]))
            columns["content_id"].append(rng.choice([None, "vid-3", f"vid-{rng.randint(0, 60)}", "pemilu-1", ""]))
        batch = Batch(EventColumns.model_validate(columns))
        days = wib_days(batch.at)
        tally = Tally()
        result = classify(batch, days, tagged, today, tally)
        counts, visits, ignored = per_event(batch, days, tagged, today)
        assert tally.counts == counts
        assert set(tally.visits) == visits
        assert result.ignored == ignored
        assert (result.received, result.counted) == (n, n - len(ignored))


def test_a_tally_adds_up_several_batches():
    now = datetime.now(UTC)
    today = wib_day(now)
    one = Batch(EventColumns.model_validate({"type": ["guide_view"] * 2, "user": ["a", "b"], "at": [now, now],
                                             "election": ["pemilu-2024"] * 2}))
    two = Batch(EventColumns.model_validate({"type": ["guide_view", "tag_click"], "user": ["a", "c"],
                                             "at": [now, now], "content_id": [None, "vid"],
                                             "election": ["pemilu-2024", None]}))
    tally = Tally()
    classify(one, wib_days(one.at), {}, today, tally)
    classify(two, wib_days(two.at), {"vid": ("pemilu-2024", "32.73")}, today, tally)
    assert tally.counts == {(today, "pemilu-2024", NONE, "guide_views"): 3,
                            (today, "pemilu-2024", "32.73", "tag_clicks"): 1}
    assert list(tally.visits) == [(today, "pemilu-2024", None, "a"), (today, "pemilu-2024", None, "b")]


def test_the_visitor_pseudonym_is_hmac_sha256_of_the_user_id():
    for salt in (bytes(range(32)), b"k" * 64, b"long salt " * 10, b""):
        hasher = VisitorHasher(salt)
        for user in ("u-1", "pengguna-ÄÖ-😀", "x" * 200):
            assert hasher(user) == hmac.digest(salt, user.encode("utf-8"), "sha256").hex()


def test_wib_days_across_midnight_and_for_naive_instants():
    wib_midnight = datetime(2024, 2, 13, 17, 0, tzinfo=UTC)  # 14 Feb 00:00 WIB
    before, after = wib_midnight - timedelta(seconds=1), wib_midnight + timedelta(seconds=1)
    assert wib_days([before, after, before]) == [date(2024, 2, 13), date(2024, 2, 14), date(2024, 2, 13)]
    assert wib_days([after, after + timedelta(hours=3)]) == [date(2024, 2, 14)] * 2
    naive = datetime(2024, 2, 13, 16, 59, 59)  # read as UTC
    makassar = datetime(2024, 2, 14, 0, 30, tzinfo=timezone(timedelta(hours=8)))  # 13 Feb 23:30 WIB
    assert wib_days([naive, after, makassar]) == [date(2024, 2, 13), date(2024, 2, 14), date(2024, 2, 13)]
    assert wib_days([]) == []
