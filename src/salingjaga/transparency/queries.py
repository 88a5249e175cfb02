"""The SQL behind a report. Every figure is aggregated in the database (GROUP BY, counts,
exact percentiles); Python only reshapes the few result rows, and reads percentiles off the
summed time-to-decision histogram (a few thousand buckets).

Decision and notice counts come from the daily rollups (``DailyActions``,
``DailyNotices``), refreshed for the period first (``rollup.py``); time-to-decision
percentiles from the ``DailyTimes`` histogram, or exactly from raw notices when a region is
asked for; appeals and referrals from their raw tables through their indexes
(``ix_appeals_created_at``). See ``report.py`` for the definitions of days, durations and
percentiles, ``histogram.py`` for the histogram's resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from salingjaga.transparency.histogram import Bucket
from salingjaga.transparency.histogram import percentiles as histogram_percentiles
from salingjaga.transparency.models import DailyActions, DailyNotices, DailyTimes
from salingjaga.transparency.report import (
    RESTRICTIVE_ACTIONS,
    TTD_BUCKETS,
    interpolate,
    percentile_position,
    period_bounds,
)


@dataclass(frozen=True)
class Scope:
    """What a report covers: whole WIB days, optionally one election and one region (a
    province includes its regencies/cities)."""

    start: date
    end: date
    election: str | None = None
    region: str | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """UTC instants of the period, end exclusive."""
        return period_bounds(self.start, self.end)


def dialect(session: Session) -> str:
    """``sqlite`` or ``postgresql``."""
    return session.get_bind().dialect.name


def wib_day(session: Session, column: Any) -> ColumnElement[Any]:
    """SQL for the WIB calendar day of a UTC timestamp column."""
    if dialect(session) == "postgresql":
        return cast(func.timezone("UTC", column).op("+")(text("INTERVAL '7 hours'")), Date)
    return func.date(column, "+7 hours")


def seconds_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Whole seconds from ``earlier`` to ``later`` (each truncated to its Unix second)."""
    if dialect(session) == "postgresql":
        # date_part gives float8, far cheaper than extract()'s numeric; exact for whole seconds.
        return cast(func.floor(func.date_part("epoch", later)), BigInteger) - cast(
            func.floor(func.date_part("epoch", earlier)), BigInteger)
    return cast(func.strftime("%s", later), Integer) - cast(func.strftime("%s", earlier), Integer)


def as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def region_filter(column: Any, region: str | None) -> ColumnElement[bool]:
    """``column`` is the region or lies inside it (a province includes ``NN.xx`` codes)."""
    if region is None:
        return literal(True)
    if "." in region:
        return column == region
    return or_(column == region, column.like(f"{region}.%"))


def percentiles(
    session: Session, values: Select[Any], fractions: Sequence[float] = (0.5, 0.9)
) -> tuple[int, list[float | None]]:
    """Count and type-7 percentiles of the single column selected by ``values``.

    PostgreSQL computes ``percentile_cont``; SQLite counts, then fetches only the one or two
    neighbouring values per fraction with ``ORDER BY ... LIMIT 2 OFFSET k``.
    """
    sub = values.subquery()
    col = sub.c[0]
    if dialect(session) == "postgresql":
        row = session.execute(
            select(func.count(col), *[func.percentile_cont(p).within_group(col) for p in fractions])
        ).one()
        n = int(row[0])
        return n, [None if n == 0 else float(v) for v in row[1:]]
    n = int(session.scalar(select(func.count(col))) or 0)
    if n == 0:
        return 0, [None for _ in fractions]
    out: list[float | None] = []
    for p in fractions:
        index, fraction = percentile_position(n, p)
        near = [float(v) for v in session.scalars(select(col).order_by(col).limit(2).offset(index))]
        out.append(interpolate(near, fraction))
    return n, out


def bucket_case(seconds: ColumnElement[Any]) -> ColumnElement[int]:
    """SQL CASE giving the index in ``TTD_BUCKETS`` of a duration (integers group faster
    than labels)."""
    whens = [(seconds < upper, i) for i, (_, upper) in enumerate(TTD_BUCKETS) if upper is not None]
    return case(*whens, else_=len(TTD_BUCKETS) - 1)


# --- the rollup ---------------------------------------------------------------------------------


def decisions_model() -> Any:
    """The moderation ``Decision`` model, imported late so the domain stays optional."""
    from salingjaga.moderation.models import Decision

    return Decision


# --- decisions ----------------------------------------------------------------------------------


APPEAL_OUTCOMES = ("uphold", "reverse")


def _rollup_where(scope: Scope) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [DailyActions.day >= scope.start, DailyActions.day <= scope.end,
                                        DailyActions.action.not_in(APPEAL_OUTCOMES)]
    if scope.election is not None:
        conds.append(DailyActions.election == scope.election)
    if scope.region is not None:
        conds.append(region_filter(DailyActions.region, scope.region))
    return conds


def decision_counts(session: Session, scope: Scope, *dims: str) -> list[tuple[Any, ...]]:
    """Rows ``(*dims, decisions)`` of the rollup over the scope, grouped by ``dims``."""
    cols = [getattr(DailyActions, name) for name in dims]
    rows = session.execute(
        select(*cols, func.sum(DailyActions.decisions)).where(*_rollup_where(scope)).group_by(*cols)
        .order_by(*cols))
    return [(*(as_date(v) if name == "day" else v for name, v in zip(dims, row[:-1], strict=True)),
             int(row[-1])) for row in rows]


# --- notices ------------------------------------------------------------------------------------
#
# A notice is decided when the review case it opened is, and its outcome is the action of
# that case's first decision. The notice's own ``decided_at`` and ``outcome`` say exactly
# that, until an appeal against the decision rewrites them with the appeal's result; for
# the few notices whose case saw an appeal, both are taken from the original decision.


def _appealed_cases() -> Any:
    """Review cases whose decision was appealed, with that decision's time (a small set)."""
    from salingjaga.moderation.models import Appeal

    d = decisions_model()
    return (
        select(d.case_id.label("case_id"), func.min(d.decided_at).label("decided_at"))
        .select_from(Appeal).join(d, d.id == Appeal.decision_id).where(d.case_id.is_not(None))
        .group_by(d.case_id).subquery("appealed")
    )


def notice_facts(session: Session, scope: Scope, partner_id: str | None = None) -> Any:
    """One row per notice received in scope: ``id, source, partner_id, policy, election,
    region, received_at, decided_at, outcome`` (a subquery to aggregate over)."""
    from salingjaga.notices.models import Notice

    d = decisions_model()
    appealed = _appealed_cases()
    first_action = (
        select(d.action).where(d.case_id == Notice.case_id, d.kind != "appeal")
        .order_by(d.kind.desc(), d.decided_at, d.id).limit(1).correlate(Notice).scalar_subquery()
    )
    decided_at = func.coalesce(appealed.c.decided_at, Notice.decided_at)
    outcome = case((appealed.c.case_id.is_(None), Notice.outcome), else_=first_action)
    lo, hi = scope.bounds
    conds: list[ColumnElement[bool]] = [Notice.received_at >= lo, Notice.received_at < hi]
    if scope.election is not None:
        conds.append(Notice.election == scope.election)
    if scope.region is not None:
        conds.append(region_filter(Notice.region, scope.region))
    if partner_id is not None:
        conds.append(Notice.partner_id == partner_id)
    return (
        select(Notice.id, Notice.source, Notice.partner_id, Notice.policy, Notice.election,
               Notice.region, Notice.received_at, decided_at.label("decided_at"), outcome.label("outcome"))
        .select_from(Notice).outerjoin(appealed, appealed.c.case_id == Notice.case_id).where(*conds)
        .subquery("notice_facts")
    )


def _notice_where(scope: Scope, partner_id: str | None = None) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [DailyNotices.day >= scope.start, DailyNotices.day <= scope.end]
    if scope.election is not None:
        conds.append(DailyNotices.election == scope.election)
    if scope.region is not None:
        conds.append(region_filter(DailyNotices.region, scope.region))
    if partner_id is not None:
        conds.append(DailyNotices.partner_id == partner_id)
    return conds


def notice_summary(session: Session, scope: Scope) -> list[tuple[str, str, str | None, int, int]]:
    """``(partner_kind, source, ttd bucket or None while undecided, actioned, notices)`` for
    notices received in scope, from the notice rollup; people without a partner have kind
    ``user``. Grouped by partner id, not kind: the partner table is tiny, so its kinds are
    looked up once (and a re-classified partner needs no rebuild)."""
    from salingjaga.partners.models import Partner

    n = DailyNotices
    actioned = case((n.outcome.in_(sorted(RESTRICTIVE_ACTIONS)), 1), else_=0)
    rows = session.execute(
        select(n.partner_id, n.source, n.bucket, actioned, func.sum(n.notices))
        .where(*_notice_where(scope)).group_by(n.partner_id, n.source, n.bucket, actioned)).all()
    kinds = dict(session.execute(select(Partner.id, Partner.kind)).tuples().all())
    out: dict[tuple[str, str, str | None, int], int] = {}
    for pid, source, b, a, count in rows:
        key = (str(kinds.get(pid, "user") if pid else "user"), str(source),
               None if int(b) < 0 else TTD_BUCKETS[int(b)][0], int(a))
        out[key] = out.get(key, 0) + int(count)
    return [(*k, v) for k, v in sorted(out.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "", kv[0][3]))]


def time_to_decision(session: Session, scope: Scope, trusted: bool | None,
                     partner_id: str | None = None) -> tuple[int, list[float | None]]:
    """Count, median and p90 seconds from notice to decision (trusted flaggers, others,
    all), exact, from raw rows."""
    nf = notice_facts(session, scope, partner_id)
    secs = seconds_between(session, nf.c.decided_at, nf.c.received_at).label("secs")
    q = select(secs).where(nf.c.decided_at.is_not(None))
    if trusted is True:
        q = q.where(nf.c.source == "trusted_flagger")
    elif trusted is False:
        q = q.where(nf.c.source != "trusted_flagger")
    return percentiles(session, q)


def ttd_from_histogram(scope: Scope) -> bool:
    """Whether a scope's time-to-decision percentiles come from the ``DailyTimes``
    histogram (it has no region dimension: region reports are computed exactly)."""
    return scope.region is None


def ttd_by_group(session: Session, scope: Scope) -> dict[str, tuple[int, list[float | None]]]:
    """``trusted_flagger``, ``other`` and ``all``: count, median and p90 seconds to decision,
    from the histogram when ``ttd_from_histogram(scope)``, else exactly from raw rows."""
    if ttd_from_histogram(scope):
        return ttd_histogram(session, scope)
    return ttd_exact(session, scope)


def ttd_histogram(session: Session, scope: Scope) -> dict[str, tuple[int, list[float | None]]]:
    """Percentiles from the summed per-day histograms of the period (see ``histogram``)."""
    t = DailyTimes
    conds: list[ColumnElement[bool]] = [t.day >= scope.start, t.day <= scope.end]
    if scope.election is not None:
        conds.append(t.election == scope.election)
    rows = session.execute(
        select(t.trusted, t.lower, func.sum(t.notices), func.min(t.low), func.max(t.high))
        .where(*conds).group_by(t.trusted, t.lower))
    groups: dict[str, list[Bucket]] = {"trusted_flagger": [], "other": []}
    for trusted, lower, count, low, high in rows:
        groups["trusted_flagger" if trusted else "other"].append(
            Bucket(int(lower), int(count), int(low), int(high)))
    out = {key: histogram_percentiles(buckets) for key, buckets in groups.items()}
    out["all"] = histogram_percentiles([*groups["trusted_flagger"], *groups["other"]])
    return out


def ttd_exact(session: Session, scope: Scope) -> dict[str, tuple[int, list[float | None]]]:
    """Exact percentiles from raw rows. PostgreSQL does all three groups in one pass
    (``GROUPING SETS``); SQLite asks per group."""
    if dialect(session) != "postgresql":
        return {"trusted_flagger": time_to_decision(session, scope, True),
                "other": time_to_decision(session, scope, False),
                "all": time_to_decision(session, scope, None)}
    from sqlalchemy import func as f
    from sqlalchemy import tuple_

    nf = notice_facts(session, scope)
    secs = seconds_between(session, nf.c.decided_at, nf.c.received_at)
    trusted = (nf.c.source == "trusted_flagger").label("trusted")
    rows = session.execute(
        select(trusted, f.grouping(trusted), f.count(),
               f.percentile_cont(0.5).within_group(secs), f.percentile_cont(0.9).within_group(secs))
        .where(nf.c.decided_at.is_not(None))
        .group_by(f.grouping_sets(tuple_(trusted), tuple_())))
    out: dict[str, tuple[int, list[float | None]]] = {k: (0, [None, None]) for k in ("trusted_flagger", "other", "all")}
    for flag, grouped, n, p50, p90 in rows:
        key = "all" if grouped else ("trusted_flagger" if flag else "other")
        out[key] = (int(n), [None if p50 is None else float(p50), None if p90 is None else float(p90)])
    return out


def partner_notice_rows(session: Session, scope: Scope, partner_id: str) -> list[tuple[str, str, int]]:
    """``(policy, outcome or 'pending', notices)`` for one partner's notices in scope."""
    n = DailyNotices
    outcome = case((n.outcome == "", "pending"), else_=n.outcome)
    rows = session.execute(
        select(n.policy, outcome, func.sum(n.notices)).where(*_notice_where(scope, partner_id))
        .group_by(n.policy, outcome).order_by(n.policy, outcome))
    return [(str(p), str(o), int(c)) for p, o, c in rows]


# --- appeals ------------------------------------------------------------------------------------


def _appeal_base(session: Session, scope: Scope) -> tuple[Any, list[ColumnElement[bool]]]:
    from salingjaga.content.models import ContentItem
    from salingjaga.moderation.models import Appeal

    d = decisions_model()
    lo, hi = scope.bounds
    conds: list[ColumnElement[bool]] = [Appeal.created_at >= lo, Appeal.created_at < hi]
    joined = select().select_from(Appeal)
    if scope.election is not None or scope.region is not None:
        joined = joined.join(d, d.id == Appeal.decision_id).outerjoin(
            ContentItem, ContentItem.id == d.content_id)
        if scope.election is not None:
            conds.append(ContentItem.election == scope.election)
        if scope.region is not None:
            conds.append(region_filter(ContentItem.region_code, scope.region))
    return joined, conds


def appeal_counts(session: Session, scope: Scope) -> list[tuple[str, str, int]]:
    """``(appellant, status, appeals)`` for appeals lodged in scope."""
    from salingjaga.moderation.models import Appeal

    joined, conds = _appeal_base(session, scope)
    rows = session.execute(
        joined.add_columns(Appeal.appellant, Appeal.status, func.count()).where(*conds)
        .group_by(Appeal.appellant, Appeal.status).order_by(Appeal.appellant, Appeal.status))
    return [(str(a), str(s), int(n)) for a, s, n in rows]


def appeal_times(session: Session, scope: Scope) -> tuple[int, list[float | None]]:
    """Count, median and p90 seconds from appeal to its decision, for appeals in scope."""
    from salingjaga.moderation.models import Appeal

    joined, conds = _appeal_base(session, scope)
    secs = seconds_between(session, Appeal.decided_at, Appeal.created_at).label("secs")
    return percentiles(session, joined.add_columns(secs).where(*conds, Appeal.decided_at.is_not(None)))


# --- statements ---------------------------------------------------------------------------------


def statement_pages(session: Session, scope: Scope, page: int = 1000) -> Any:
    """The statements of reasons of decisions taken in scope, oldest first, ``page`` at a time
    (keyset pagination on ``(decided_at, statement id)``, so memory stays flat). Each row is
    ``{"data": statement JSON, "policy": code, "legal_ground": text or None}``: the export
    decides from the decision's policy and ground where the restriction applies."""
    from salingjaga.content.models import ContentItem
    from salingjaga.moderation.models import Statement

    d = decisions_model()
    lo, hi = scope.bounds
    conds: list[ColumnElement[bool]] = [d.decided_at >= lo, d.decided_at < hi]
    query = select(Statement.id, d.decided_at, Statement.data, d.policy, d.legal_ground).join(
        d, d.id == Statement.decision_id)
    if scope.election is not None or scope.region is not None:
        query = query.outerjoin(ContentItem, ContentItem.id == d.content_id)
        if scope.election is not None:
            conds.append(ContentItem.election == scope.election)
        if scope.region is not None:
            conds.append(region_filter(ContentItem.region_code, scope.region))
    after: tuple[datetime, str] | None = None
    while True:
        q = query.where(*conds)
        if after is not None:
            q = q.where(or_(d.decided_at > after[0], and_(d.decided_at == after[0], Statement.id > after[1])))
        rows = session.execute(q.order_by(d.decided_at, Statement.id).limit(page)).all()
        if not rows:
            return
        yield [{"data": dict(r[2]), "policy": r[3], "legal_ground": r[4]} for r in rows]
        after = (rows[-1][1], rows[-1][0])


# --- fact-check referrals -------------------------------------------------------------------------
# The fact-check service has no aggregate of its own, so these read its two tables (read-only).


def _referral_base(scope: Scope) -> tuple[Any, list[ColumnElement[bool]]]:
    from salingjaga.content.models import ContentItem
    from salingjaga.factcheck.models import Referral

    lo, hi = scope.bounds
    conds: list[ColumnElement[bool]] = [Referral.created_at >= lo, Referral.created_at < hi]
    joined = select().select_from(Referral)
    if scope.election is not None or scope.region is not None:
        joined = joined.join(ContentItem, ContentItem.id == Referral.content_id)
        if scope.election is not None:
            conds.append(ContentItem.election == scope.election)
        if scope.region is not None:
            conds.append(region_filter(ContentItem.region_code, scope.region))
    return joined, conds


def referral_counts(session: Session, scope: Scope) -> list[tuple[str, str, int]]:
    """``(status, verdict or 'pending', referrals)`` for referrals sent in scope."""
    from salingjaga.factcheck.models import FactCheck, Referral

    joined, conds = _referral_base(scope)
    verdict = func.coalesce(FactCheck.verdict, "pending")
    rows = session.execute(
        joined.add_columns(Referral.status, verdict, func.count())
        .outerjoin(FactCheck, FactCheck.id == Referral.factcheck_id).where(*conds)
        .group_by(Referral.status, verdict).order_by(Referral.status, verdict))
    return [(str(s), str(v), int(n)) for s, v, n in rows]


def referral_times(session: Session, scope: Scope) -> tuple[int, list[float | None]]:
    """Count, median and p90 seconds from referral to verdict, for referrals sent in scope."""
    from salingjaga.factcheck.models import Referral

    joined, conds = _referral_base(scope)
    secs = seconds_between(session, Referral.completed_at, Referral.created_at).label("secs")
    return percentiles(session, joined.add_columns(secs).where(*conds, Referral.completed_at.is_not(None)))
