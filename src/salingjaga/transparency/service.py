"""Transparency reports: what the platform did in a period, from its own records.

``period_report`` is the public contract of ``GET /api/v1/transparency/report`` and of
``salingjaga transparency report``; ``partner_report`` is the DSA Art. 22(3) shape for one
partner. Sections whose domain is not installed come back as ``null`` with a note.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.timeutil import utcnow
from salingjaga.transparency import charts, queries
from salingjaga.transparency.histogram import RESOLUTION_TEXT
from salingjaga.transparency.queries import Scope
from salingjaga.transparency.report import (
    RESTRICTIVE_ACTIONS,
    TTD_BUCKETS,
    TYPE_ORDER,
    action_type,
    days,
    hours,
)
from salingjaga.transparency.rollup import refresh_rollup

MAX_DAYS = 3660  # ten years: a bound that keeps a typo from asking for millennia

DEFINITIONS = {
    "day": "calendar day in WIB (UTC+7); 'from' and 'to' are both included whole",
    "actions": "decisions taken in the period, appeal outcomes excluded; each decision counts "
               "once under its action, also if an appeal later reversed it (see appeals)",
    "notices": "notices received in the period; decided and actioned as of now, by the review "
               "case each notice opened",
    "time_to_decision": "whole seconds from a notice's receipt to the decision on its case",
    "percentile": "linear interpolation between closest ranks (PostgreSQL percentile_cont)",
    "time_to_decision_percentiles": "without a region filter, read from a histogram of whole "
                                    f"seconds ({RESOLUTION_TEXT}); with a region filter, exact",
    "appeals": "appeals lodged in the period; decision time in whole seconds",
}


# The days a report may name: the platform keeps nothing older, and WIB days this far out
# still have UTC bounds that Python's dates can hold.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 31)


def make_scope(start: date, end: date, election: str | None = None, region: str | None = None) -> Scope:
    """A validated scope: known election and region, a period that ends after it starts and
    lies within the years reports can cover (a WIB day at the ends of the calendar has no
    UTC bounds: ``9999-12-31`` overflowed into a 500)."""
    for name, day in (("from", start), ("to", end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise Invalid(f"'{name}' must lie between {FIRST_DAY} and {LAST_DAY}",
                          reason="transparency.day_out_of_range",
                          params={"first": FIRST_DAY.year, "last": LAST_DAY.year})
    if end < start:
        raise Invalid("'to' is before 'from'", reason="period.reversed")
    if (end - start).days > MAX_DAYS:
        raise Invalid(f"a report spans at most {MAX_DAYS} days", reason="period.too_long", params={"n": MAX_DAYS})
    if election is not None:
        from salingjaga.regions.elections import get_election

        try:
            get_election(election)
        except NotFound as exc:
            raise Invalid(exc.message, reason=exc.reason, params=exc.params) from exc
    if region is not None:
        from salingjaga.regions.service import get_region

        get_region(region)
    return Scope(start, end, election or None, region or None)


def _timing(n: int, values: list[float | None]) -> dict[str, Any]:
    median, p90 = values
    return {"decided": n, "median_seconds": median, "p90_seconds": p90,
            "median_hours": hours(median), "p90_hours": hours(p90)}


def _optional(name: str, notes: list[str], load: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    """A section from another domain, or None with a note when that domain is absent."""
    try:
        return load()
    except (ImportError, AttributeError) as exc:
        notes.append(f"{name}: not available in this installation ({exc.__class__.__name__})")
        return None


def _actions(session: Session, scope: Scope) -> dict[str, Any]:
    by_policy: dict[str, dict[str, int]] = {}
    by_policy_action: dict[str, dict[str, int]] = {}
    by_action: dict[str, int] = {}
    by_type = dict.fromkeys(TYPE_ORDER, 0)
    for policy, action, n in queries.decision_counts(session, scope, "policy", "action"):
        row = by_policy.setdefault(policy, dict.fromkeys(TYPE_ORDER, 0))
        kind = action_type(action)
        row[kind] = row.get(kind, 0) + n
        by_type[kind] = by_type.get(kind, 0) + n
        by_policy_action.setdefault(policy, {})[action] = n
        by_action[action] = by_action.get(action, 0) + n
    by_source: dict[str, dict[str, int]] = {}
    for source, action, n in queries.decision_counts(session, scope, "source", "action"):
        row = by_source.setdefault(source, dict.fromkeys(TYPE_ORDER, 0))
        kind = action_type(action)
        row[kind] = row.get(kind, 0) + n
    automation = {"automated_decision": 0, "human_decision": 0, "automated_detection": 0,
                  "human_detection": 0}
    for det, dec, n in queries.decision_counts(session, scope, "automated_detection", "automated_decision"):
        automation["automated_decision" if dec else "human_decision"] += n
        automation["automated_detection" if det else "human_detection"] += n
    per_day_rows = queries.decision_counts(session, scope, "day", "action")
    per_day = {d: {"decisions": 0, "actions": 0} for d in days(scope.start, scope.end)}
    for day, action, n in per_day_rows:
        per_day[day]["decisions"] += n
        if action in RESTRICTIVE_ACTIONS:
            per_day[day]["actions"] += n
    decisions = sum(by_action.values())
    return {
        "totals": {"decisions": decisions,
                   "actions": sum(n for a, n in by_action.items() if a in RESTRICTIVE_ACTIONS),
                   "by_type": by_type},
        "actions_by_policy": by_policy,
        "actions_by_policy_action": by_policy_action,
        "actions_by_action": dict(sorted(by_action.items())),
        "actions_by_source": by_source,
        "automation": automation,
        "actions_per_day": [{"day": d.isoformat(), **v} for d, v in per_day.items()],
    }


def _notices_and_times(session: Session, scope: Scope) -> tuple[dict[str, Any], dict[str, Any]]:
    by_kind: dict[str, dict[str, int]] = {}
    by_source: dict[str, dict[str, int]] = {}
    total = {"received": 0, "decided": 0, "actioned": 0}
    dist = {label: {"trusted_flagger": 0, "other": 0} for label, _ in TTD_BUCKETS}
    for kind, source, bucket, actioned, n in queries.notice_summary(session, scope):
        for row in (by_kind.setdefault(kind, dict.fromkeys(total, 0)),
                    by_source.setdefault(source, dict.fromkeys(total, 0)), total):
            row["received"] += n
            row["decided"] += n if bucket is not None else 0
            row["actioned"] += n if actioned else 0
        if bucket is not None:
            dist[bucket]["trusted_flagger" if source == "trusted_flagger" else "other"] += n
    notices = {**total, "by_partner_kind": dict(sorted(by_kind.items())),
               "by_source": dict(sorted(by_source.items()))}
    times = {key: _timing(n, values) for key, (n, values) in queries.ttd_by_group(session, scope).items()}
    ttd = {"trusted_flagger": times["trusted_flagger"], "other": times["other"], "all": times["all"],
           "distribution": [{"name": label, **v} for label, v in dist.items()],
           **_percentile_method(scope)}
    return notices, ttd


def _percentile_method(scope: Scope) -> dict[str, Any]:
    """How the scope's percentiles were found and how close they are to exact values."""
    if queries.ttd_from_histogram(scope):
        return {"percentile_method": "histogram", "percentile_resolution": RESOLUTION_TEXT}
    return {"percentile_method": "exact", "percentile_resolution": "exact whole seconds"}


def _appeals(session: Session, scope: Scope) -> dict[str, Any]:
    statuses = {"open": 0, "upheld": 0, "reversed": 0, "changed": 0}
    by_appellant: dict[str, dict[str, int]] = {}
    for appellant, status, n in queries.appeal_counts(session, scope):
        statuses[status] = statuses.get(status, 0) + n
        row = by_appellant.setdefault(appellant, {"received": 0, "reversed": 0})
        row["received"] += n
        if status in ("reversed", "changed"):
            row["reversed"] += n
    n, (median, p90) = queries.appeal_times(session, scope)
    received = sum(statuses.values())
    return {
        "received": received, "decided": received - statuses["open"], **statuses,
        "reversals": statuses["reversed"] + statuses["changed"],
        "by_appellant": by_appellant,
        "median_decision_seconds": median, "p90_decision_seconds": p90,
        "median_decision_hours": hours(median),
    }


def _gpppa(session: Session, scope: Scope, notes: list[str]) -> dict[str, Any] | None:
    def load() -> dict[str, Any]:
        from salingjaga.rules.service import refusal_summary

        lo, hi = scope.bounds
        out = refusal_summary(session, lo, hi)
        out.pop("from", None)
        out.pop("to", None)
        return out

    result = _optional("gpppa_refusals", notes, load)
    if result is not None and (scope.election or scope.region):
        notes.append("gpppa_refusals: counted for every election and region (refusals carry neither)")
    return result


def _fact_checks(session: Session, scope: Scope, notes: list[str]) -> dict[str, Any] | None:
    def load() -> dict[str, Any]:
        by_verdict: dict[str, int] = {}
        sent = done = 0
        for status, verdict, n in queries.referral_counts(session, scope):
            sent += n
            if status == "done":
                done += n
                by_verdict[verdict] = by_verdict.get(verdict, 0) + n
        n, (median, p90) = queries.referral_times(session, scope)
        return {"referred": sent, "verdicts": done, "awaiting_verdict": sent - done,
                "by_verdict": dict(sorted(by_verdict.items())),
                "median_verdict_seconds": median, "p90_verdict_seconds": p90,
                "median_verdict_hours": hours(median)}

    return _optional("fact_checks", notes, load)


def _guide(session: Session, scope: Scope, notes: list[str]) -> dict[str, Any] | None:
    def load() -> dict[str, Any]:
        from salingjaga.guide.reach import reach_summary

        return dict(reach_summary(session, scope.start, scope.end, election=scope.election,
                                  region=scope.region))

    return _optional("guide_reach", notes, load)


def period_report(session: Session, scope: Scope, *, refresh: bool = True) -> dict[str, Any]:
    """The full period report for a scope (the rollups are brought up to date first)."""
    if session.get_bind().dialect.name == "postgresql":
        # These are a few large aggregates; compiling them with JIT costs more than it saves
        # (measured: 2.7 s of a 5.2 s query at 300k notices).
        session.execute(text("SET LOCAL jit = off"))
        # Room for the grouping and percentile sorts to stay in memory (this transaction only).
        session.execute(text("SET LOCAL work_mem = '128MB'"))
    if refresh:
        refresh_rollup(session, scope.start, scope.end)
    notes: list[str] = []
    out: dict[str, Any] = {
        "period": {"from": scope.start.isoformat(), "to": scope.end.isoformat(),
                   "timezone": "WIB (UTC+7)", "election": scope.election, "region": scope.region},
        "generated_at": utcnow().isoformat(),
        "definitions": DEFINITIONS,
    }
    out.update(_actions(session, scope))
    out["notices"], out["time_to_decision"] = _notices_and_times(session, scope)
    out["appeals"] = _appeals(session, scope)
    out["fact_checks"] = _fact_checks(session, scope, notes)
    out["gpppa_refusals"] = _gpppa(session, scope, notes)
    out["guide_reach"] = _guide(session, scope, notes)
    out["notes"] = notes
    return out


def partner_report(session: Session, partner_id: str, scope: Scope, *, refresh: bool = True) -> dict[str, Any]:
    """One partner's notices by policy and by the action taken (DSA Art. 22(3) shape); the
    counts come from the notice rollup (brought up to date first), the times from raw rows."""
    from salingjaga.partners.service import get_partner

    partner = get_partner(session, partner_id)
    if refresh:
        refresh_rollup(session, scope.start, scope.end)
    by_policy: dict[str, int] = {}
    by_action: dict[str, int] = {}
    by_policy_action: dict[str, dict[str, int]] = {}
    for policy, outcome, n in queries.partner_notice_rows(session, scope, partner_id):
        by_policy[policy] = by_policy.get(policy, 0) + n
        by_action[outcome] = by_action.get(outcome, 0) + n
        by_policy_action.setdefault(policy, {})[outcome] = n
    total = sum(by_policy.values())
    pending = by_action.get("pending", 0)
    actioned = sum(n for a, n in by_action.items() if a in RESTRICTIVE_ACTIONS)
    n, values = queries.time_to_decision(session, scope, None, partner_id)
    return {
        "partner": {"id": partner.id, "name": partner.name, "kind": partner.kind,
                    "organisation": partner.organisation, "trusted": partner.trusted,
                    "jurisdiction": partner.jurisdiction},
        "period": {"from": scope.start.isoformat(), "to": scope.end.isoformat(),
                   "timezone": "WIB (UTC+7)", "election": scope.election, "region": scope.region},
        "notices": total, "decided": total - pending, "actioned": actioned,
        "actioned_share": round(actioned / (total - pending), 4) if total > pending else None,
        "by_policy": dict(sorted(by_policy.items())),
        "by_action": dict(sorted(by_action.items())),
        "by_policy_action": by_policy_action,
        "time_to_decision": _timing(n, values),
    }


# --- charts -------------------------------------------------------------------------------------

TYPE_LABELS = {
    "en": {"removed": "Removed", "kept_out_of_recommendations": "Kept out of For You",
           "labelled": "Labelled", "age_restricted": "Age-restricted",
           "account_action": "Account action", "no_violation": "No violation"},
    "id": {"removed": "Dihapus", "kept_out_of_recommendations": "Tidak direkomendasikan",
           "labelled": "Diberi label", "age_restricted": "Dibatasi usia",
           "account_action": "Tindakan akun", "no_violation": "Tidak melanggar"},
}
CHART_TITLES = {
    "en": {"policy": "Actions per policy", "daily": "Actions per day (WIB)",
           "ttd": "Time from notice to decision (notices)"},
    "id": {"policy": "Tindakan per kebijakan", "daily": "Tindakan per hari (WIB)",
           "ttd": "Waktu dari laporan hingga keputusan (laporan)"},
}


def report_charts(report: dict[str, Any], lang: str = "en") -> dict[str, str]:
    """The three charts of a report as SVG text, keyed ``policy``, ``daily``, ``ttd``."""
    from salingjaga.policies.service import all_policies

    labels = TYPE_LABELS.get(lang, TYPE_LABELS["en"])
    titles = CHART_TITLES.get(lang, CHART_TITLES["en"])
    policies = all_policies()
    rows = {policies[p].name.get(lang, p) if p in policies else p: counts
            for p, counts in report["actions_by_policy"].items()}
    series = [t for t in TYPE_ORDER if t != "no_violation"]
    return {
        "policy": charts.stacked_bars(titles["policy"], rows, series, series_labels=labels,
                                      chart_id="chart-policy"),
        "daily": charts.daily_series(
            titles["daily"], [(date.fromisoformat(r["day"]), int(r["actions"]))
                              for r in report["actions_per_day"]], chart_id="chart-daily"),
        "ttd": charts.histogram(
            titles["ttd"], [(b["name"], int(b["trusted_flagger"]) + int(b["other"]))
                            for b in report["time_to_decision"]["distribution"]], chart_id="chart-ttd"),
    }


def write_charts(report: dict[str, Any], out_dir: Path, lang: str = "en") -> list[Path]:
    """Write the report's charts as ``<name>.svg`` files; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, svg in report_charts(report, lang).items():
        path = out_dir / f"{name}.svg"
        path.write_text(svg, "utf-8")
        paths.append(path)
    return paths


def export_statements(session: Session, scope: Scope, out_dir: Path) -> dict[str, Any]:
    """Write the period's statements of reasons as DSA batches (see ``dsa.write_batches``).

    Only restrictions that apply in the EEA go to the DSA Transparency Database: those under
    the platform's worldwide terms of service. A decision under Indonesian law or an
    Indonesia-only election rule (GPPPA, quiet period, campaign accounts) restricts nothing
    in the EEA; it is counted in the manifest's ``left_out``, not sent. A stored statement
    whose category or keywords the API has since removed is sent with its policy's current
    classification (counted as ``reclassified``).
    """
    from salingjaga.moderation.statements import classification, dsa_submission, is_stale_classification
    from salingjaga.policies.service import all_policies, restriction_territory
    from salingjaga.transparency.dsa import LeftOut, write_batches

    known = all_policies()
    left_out = LeftOut()
    extra: dict[str, Any] = {"period": {"from": scope.start.isoformat(), "to": scope.end.isoformat()},
                             "reclassified": 0}

    def eea_pages() -> Any:
        for page in queries.statement_pages(session, scope):
            keep = []
            for row in page:
                if row["policy"] in known:
                    ruling = restriction_territory(row["policy"], row["legal_ground"])
                    eea, by, where = ruling.territory.eea, ruling.by, ruling.territory.code
                else:
                    # A policy since dropped from the data: go by what the statement said then.
                    told = row["data"].get("applies_in") or {}
                    eea = bool(told.get("eea", bool(row["data"].get("territorial_scope"))))
                    by = "legal_ground" if row["legal_ground"] else "policy"
                    where = str(told.get("code", "unknown"))
                if not eea:
                    left_out.add(policy=row["policy"], by=by, territory=where)
                    continue
                data = dsa_submission(row["data"])
                if is_stale_classification(data) and row["policy"] in known:
                    policy = known[row["policy"]]
                    for key in ("category", "category_specification", "category_specification_other"):
                        data.pop(key, None)
                    data.update(classification(category=policy.dsa_category, keywords=policy.dsa_keywords,
                                               specification=policy.dsa_specification or policy.name["en"]))
                    extra["reclassified"] += 1
                keep.append(data)
            yield keep

    return write_batches(eea_pages(), out_dir, left_out, extra)
