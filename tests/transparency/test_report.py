"""The pure report maths: percentile definition, WIB days, buckets, CSV safety, SVG charts."""

from __future__ import annotations

import csv
import io
import json
import random
import statistics
from datetime import UTC, date, datetime
from xml.etree import ElementTree

import numpy as np
import pytest

from salingjaga.transparency import charts, report
from salingjaga.transparency.exports import csv_safe, to_csv, to_json


def test_percentile_matches_the_documented_type7_definition() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert report.median(values) == 25.0
    # h = 3 * 0.9 = 2.7 -> 30 + 0.7 * 10
    assert report.percentile(values, 0.9) == pytest.approx(37.0)
    assert report.percentile([5.0], 0.9) == 5.0
    assert report.percentile([], 0.5) is None
    assert report.percentile_position(10, 0.9) == (8, pytest.approx(0.1))
    rng = random.Random(7)
    for n in (1, 2, 3, 10, 101):
        data = sorted(rng.randint(0, 10_000) for _ in range(n))
        for p in (0.0, 0.25, 0.5, 0.9, 1.0):
            assert report.percentile(data, p) == pytest.approx(float(np.percentile(data, p * 100)))
        assert report.median(data) == pytest.approx(statistics.median(data))


def test_percentile_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        report.percentile_position(0, 0.5)
    with pytest.raises(ValueError):
        report.percentile_position(3, 1.5)


def test_days_are_wib_calendar_days() -> None:
    # 16:59 UTC is 23:59 WIB the same day; 17:00 UTC is already the next WIB day.
    assert report.wib_day(datetime(2024, 2, 13, 16, 59, tzinfo=UTC)) == date(2024, 2, 13)
    assert report.wib_day(datetime(2024, 2, 13, 17, 0, tzinfo=UTC)) == date(2024, 2, 14)
    lo, hi = report.period_bounds(date(2023, 11, 28), date(2024, 2, 15))
    assert lo == datetime(2023, 11, 27, 17, 0, tzinfo=UTC)
    assert hi == datetime(2024, 2, 15, 17, 0, tzinfo=UTC)
    assert len(list(report.days(date(2023, 11, 28), date(2024, 2, 15)))) == 80
    with pytest.raises(ValueError):
        report.period_bounds(date(2024, 2, 2), date(2024, 2, 1))


def test_action_types_and_buckets() -> None:
    assert report.action_type("remove") == "removed"
    assert report.action_type("fyp_exclude") == "kept_out_of_recommendations"
    assert report.action_type("label_ai_generated") == "labelled"
    assert report.action_type("ban") == "account_action"
    assert "no_violation" not in report.RESTRICTIVE_ACTIONS
    assert report.ttd_bucket(0) == "<1h"
    assert report.ttd_bucket(3599) == "<1h"
    assert report.ttd_bucket(3600) == "1-2h"
    assert report.ttd_bucket(86400) == "24-48h"
    assert report.ttd_bucket(10**7) == ">=48h"


def test_csv_cells_cannot_become_formulas() -> None:
    assert csv_safe("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    for bad in ("+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(bad).startswith("'")
    assert csv_safe(-3) == -3
    assert csv_safe("misinformation") == "misinformation"
    data = {"actions_by_policy": {"=cmd|' /C calc'!A0": {"removed": 2}}, "total": 2,
            "per_day": [{"day": "2024-02-14", "count": 2}]}
    rows = list(csv.reader(io.StringIO(to_csv(data))))
    assert rows[0] == ["section", "dimension", "metric", "value"]
    assert ["actions_by_policy", "'=cmd|' /C calc'!A0", "removed", "2"] in rows
    assert ["total", "", "total", "2"] in rows
    assert ["per_day", "2024-02-14", "count", "2"] in rows
    assert json.loads(to_json(data)) == data


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_charts_are_accessible_escaped_svg() -> None:
    ns = "{http://www.w3.org/2000/svg}"
    svg = charts.stacked_bars(
        "Actions <per> policy", {"misinformation": {"removed": 3, "labelled": 1},
                                 "<script>alert(1)</script>": {"removed": 1}},
        ["removed", "labelled"], chart_id="c1",
    )
    root = _parse(svg)  # well-formed XML: the hostile label was escaped
    assert root.get("role") == "img"
    assert root.find(f"{ns}title").text == "Actions <per> policy"
    assert "misinformation: removed 3, labelled 1" in root.find(f"{ns}desc").text
    values = [r.get("data-value") for r in root.iter(f"{ns}rect") if r.get("data-value")]
    assert values == ["3", "1", "1"]
    assert "<script>" not in svg

    line = _parse(charts.daily_series("Per day", [(date(2024, 2, 13), 2), (date(2024, 2, 14), 5)]))
    assert [c.get("data-value") for c in line.iter(f"{ns}circle")] == ["2", "5"]

    hist = _parse(charts.histogram("TTD", [("<1h", 4), ("1-2h", 0)]))
    assert [r.get("data-bucket") for r in hist.iter(f"{ns}rect") if r.get("data-bucket")] == [
        "<1h", "1-2h"]
    empty = _parse(charts.daily_series("Nothing", []))
    assert empty.find(f"{ns}desc").text == "no data"
