"""The report of a simulation: ``report.json`` (every figure) and ``report.html`` (the same
figures for people: tables, and charts as inline SVG with their figures read out for screen
readers, no script and no external file)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from salingjaga.transparency.charts import PALETTE

_FONT = 'font-family="system-ui, sans-serif"'
SOURCES = ("trusted_flagger", "partner", "proactive", "user_report")


def _nice(value: float) -> float:
    """An axis maximum at or above ``value``: four steps of 1, 2 or 5 times a power of ten."""
    step, turn = 1.0, 0
    while step * 4 < value:
        step *= (2.0, 2.5, 2.0)[turn % 3]
        turn += 1
    return step * 4


def line_chart(title: str, series: dict[str, Sequence[tuple[float, float]]], x_label: str,
               width: int = 760, height: int = 280) -> str:
    """Several series over the same x (hours since the start) as lines, with a legend."""
    left, top, bottom, right = 60, 20, 56, 20
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [x for pts in series.values() for x, _ in pts] or [0.0]
    ymax = _nice(max((y for pts in series.values() for _, y in pts), default=0) or 1)
    xmax = max(xs) or 1.0
    desc = "; ".join(f"{name}: " + ", ".join(f"{x:g} h {y:g}" for x, y in pts[:: max(1, len(pts) // 12)])
                     for name, pts in series.items())
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {width} {height}" '
             f'class="chart"><title>{escape(title)}</title><desc>{escape(desc)}</desc>']
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6ee"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {_FONT}>'
                     f'{ymax * i / 4:g}</text>')
    for i in range(7):
        x = left + plot_w * i / 6
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" {_FONT}>'
                     f'{xmax * i / 6:.0f}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 32}" text-anchor="middle" font-size="11" '
                 f'{_FONT}>{escape(x_label)}</text>')
    for j, (name, pts) in enumerate(series.items()):
        colour = PALETTE[j % len(PALETTE)]
        path = " ".join(f"{left + plot_w * x / xmax:.1f},{top + plot_h - plot_h * y / ymax:.1f}" for x, y in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
                     f'data-series="{escape(name)}"/>')
        parts.append(f'<rect x="{left + 130 * j}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{left + 14 + 130 * j}" y="{height - 5}" font-size="11" {_FONT}>{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(title: str, groups: dict[str, dict[str, float | None]], unit: str, width: int = 760) -> str:
    """Grouped horizontal bars: one group per label (a source), one bar per series (a run)."""
    names = list(next(iter(groups.values()), {}).keys())
    left, top, bar_h = 150, 10, 16
    group_h = bar_h * len(names) + 12
    height = top + group_h * len(groups) + 40
    plot_w = width - left - 90
    values = [v for g in groups.values() for v in g.values() if v is not None]
    xmax = _nice(max(values, default=0) or 1)
    desc = "; ".join(f"{label}: " + ", ".join(f"{n} {v if v is not None else 'none'} {unit}" for n, v in g.items())
                     for label, g in groups.items())
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {width} {height}" '
             f'class="chart"><title>{escape(title)}</title><desc>{escape(desc)}</desc>']
    for i, (label, g) in enumerate(groups.items()):
        y0 = top + i * group_h
        parts.append(f'<text x="{left - 8}" y="{y0 + group_h / 2:.1f}" text-anchor="end" font-size="12" {_FONT}>'
                     f'{escape(label)}</text>')
        for j, name in enumerate(names):
            value = g.get(name)
            w = plot_w * (value or 0) / xmax
            y = y0 + j * bar_h
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(f"{label}, {name}: {value} {unit}")}'
                         f'</title></rect><text x="{left + w + 4:.1f}" y="{y + bar_h - 5}" font-size="11" {_FONT}>'
                         f'{"-" if value is None else f"{value:.2f}"}</text>')
    for j, name in enumerate(names):
        parts.append(f'<rect x="{left + 150 * j}" y="{height - 16}" width="10" height="10" '
                     f'fill="{PALETTE[j % len(PALETTE)]}"/><text x="{left + 14 + 150 * j}" y="{height - 7}" '
                     f'font-size="11" {_FONT}>{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def charts(report: dict[str, Any]) -> dict[str, Markup]:
    """The report's charts as SVG markup."""
    runs = {"claim order": report["policy"], "FIFO": report["fifo"]}
    out: dict[str, Markup] = {}
    for q in ("p50", "p95"):
        groups = {s: {name: run["by_source"].get(s, {}).get(f"{q}_hours") for name, run in runs.items()}
                  for s in SOURCES if any(s in run["by_source"] for run in runs.values())}
        out[q] = Markup(bar_chart(f"Time to decision, {q}, hours, by source", groups, "h"))  # noqa: S704 - built from escaped parts
    out["backlog"] = Markup(line_chart(  # noqa: S704 - built from escaped parts
        "Cases waiting over time",
        {name: [(b["at_s"] / 3600, b["waiting"]) for b in run["backlog"]] for name, run in runs.items()},
        "hours since the start"))
    return out


def write_report(report: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.html`` into ``out``; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "report.json", out / "report.html"
    json_path.write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False), encoding="utf-8")
    env = Environment(loader=PackageLoader("salingjaga.simulate", "templates"), autoescape=select_autoescape())
    html = env.get_template("report.html").render(r=report, charts=charts(report), sources=SOURCES)
    html_path.write_text(html, encoding="utf-8")
    return json_path, html_path
