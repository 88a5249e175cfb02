"""Charts as standalone SVG, written here: no JavaScript, no external fonts or files.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that reads out the
figures, so a screen reader gets the numbers, and every label is XML-escaped. The same SVG
text is embedded in the public page and written to files by the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from salingjaga.core.ids import new_id

PALETTE = ("#b3261e", "#1d4e89", "#e0a100", "#1b7f3b", "#6a3d9a", "#8c8c8c", "#d9598c")
_FONT = 'font-family="system-ui, sans-serif"'


def _nice_max(value: float) -> float:
    """An axis maximum at or above ``value`` split into four equal, round, whole steps
    (each step 1, 2 or 5 times a power of ten), so counts never get fractional ticks."""
    if value <= 0:
        return 4.0
    step = 1.0
    while step * 4 < value:
        for factor in (2.0, 2.5, 2.0):  # 1 -> 2 -> 5 -> 10 -> 20 -> 50 ...
            step *= factor
            if step * 4 >= value:
                break
    return step * 4


def _open(width: int, height: int, title: str, desc: str, css_id: str) -> list[str]:
    tid, did = f"{css_id}-title", f"{css_id}-desc"
    return [
        # width 100% with a viewBox: the chart scales to its column, keeping its proportions.
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" id={quoteattr(css_id)} '
        f'aria-labelledby="{tid} {did}" class="chart">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _fmt(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _y_axis(parts: list[str], left: int, top: int, plot_h: int, width: int, ymax: float) -> None:
    for i in range(5):
        v = ymax * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" '
                     f'stroke="#e3e6ee" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'{_FONT} fill="#5b6478">{_fmt(v)}</text>')


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def stacked_bars(
    title: str,
    rows: Mapping[str, Mapping[str, int]],
    series: Sequence[str],
    *,
    series_labels: Mapping[str, str] | None = None,
    width: int = 760,
    chart_id: str | None = None,
) -> str:
    """One horizontal bar per row label (e.g. a policy), stacked by series (e.g. action
    type). Horizontal so that long policy names stay readable."""
    labels = series_labels or {}
    css_id = chart_id or new_id("chart")
    totals = {k: sum(int(v.get(s, 0)) for s in series) for k, v in rows.items()}
    desc = "; ".join(
        f"{k}: " + (", ".join(f"{labels.get(s, s)} {int(v.get(s, 0))}" for s in series if v.get(s)) or "0")
        for k, v in rows.items()
    ) or "no data"
    left, top, bar_h, gap = 230, 16, 22, 10
    plot_w = width - left - 30
    n = max(len(rows), 1)
    axis_y = top + n * (bar_h + gap)
    height = axis_y + 70
    parts = _open(width, height, title, desc, css_id)
    xmax = _nice_max(max(totals.values(), default=0))
    for i in range(5):
        x = left + plot_w * i / 4
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="#e3e6ee"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle" font-size="11" '
                     f'{_FONT} fill="#5b6478">{_fmt(xmax * i / 4)}</text>')
    for i, (key, values) in enumerate(rows.items()):
        y = top + i * (bar_h + gap)
        parts.append(f'<text x="{left - 8}" y="{y + bar_h / 2 + 4:.1f}" text-anchor="end" font-size="12" '
                     f'{_FONT} class="bar-label"><title>{escape(key)}</title>{escape(_short(key))}</text>')
        x = float(left)
        for j, s in enumerate(series):
            count = int(values.get(s, 0))
            if not count:
                continue
            w = plot_w * count / xmax
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{PALETTE[j % len(PALETTE)]}" data-series={quoteattr(s)} '
                f'data-value="{count}"><title>{escape(f"{key}, {labels.get(s, s)}: {count}")}'
                f'</title></rect>'
            )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_h / 2 + 4:.1f}" font-size="11" {_FONT} '
                     f'fill="#5b6478">{_fmt(totals[key])}</text>')
    lx, ly = 10, axis_y + 34
    for j, s in enumerate(series):
        name = labels.get(s, s)
        step = 22 + 7 * len(name)
        if lx + step > width:
            lx, ly = 10, ly + 18
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(f'<text x="{lx + 14}" y="{ly}" font-size="11" {_FONT}>{escape(name)}</text>')
        lx += step
    parts.append("</svg>")
    return "\n".join(parts)


def _framed(title: str, values: Sequence[tuple[str, int]], width: int, height: int,
            chart_id: str | None) -> tuple[list[str], tuple[int, int, int, int, float]]:
    """The opening of a one-series chart with its y axis: the SVG parts so far and the plot
    area (left, top, width, height) with the axis maximum. The description lists every
    labelled value, for screen readers."""
    desc = "; ".join(f"{label}: {v}" for label, v in values) or "no data"
    parts = _open(width, height, title, desc, chart_id or new_id("chart"))
    left, top, bottom = 60, 20, 40
    plot_h = height - top - bottom
    ymax = _nice_max(max((v for _, v in values), default=0))
    _y_axis(parts, left, top, plot_h, width, ymax)
    return parts, (left, top, width - left - 20, plot_h, ymax)


def daily_series(
    title: str,
    points: Sequence[tuple[date, int]],
    *,
    width: int = 760,
    height: int = 280,
    chart_id: str | None = None,
) -> str:
    """Actions per day as a line with a dot per day (a missing day should be passed as 0)."""
    parts, (left, top, plot_w, plot_h, ymax) = _framed(
        title, [(d.isoformat(), v) for d, v in points], width, height, chart_id)
    n = len(points)
    coords = []
    for i, (_, v) in enumerate(points):
        x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
        y = top + plot_h - plot_h * v / ymax
        coords.append((x, y))
    if coords:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[1]}" '
                     f'stroke-width="2"/>')
    for (x, y), (d, v) in zip(coords, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[1]}" '
                     f'data-day="{d.isoformat()}" data-value="{v}">'
                     f'<title>{d.isoformat()}: {v}</title></circle>')
    if points:
        ticks = sorted({0, n - 1, *range(0, n, max(1, n // 6))})
        for i in ticks:
            x = coords[i][0]
            anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
            parts.append(f'<text x="{x:.1f}" y="{height - 14}" font-size="11" {_FONT} '
                         f'text-anchor="{anchor}">{points[i][0].isoformat()}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def histogram(
    title: str,
    buckets: Sequence[tuple[str, int]],
    *,
    width: int = 760,
    height: int = 280,
    chart_id: str | None = None,
) -> str:
    """Counts per labelled bucket as adjacent bars (the time-to-decision distribution)."""
    parts, (left, top, plot_w, plot_h, ymax) = _framed(title, buckets, width, height, chart_id)
    slot = plot_w / max(len(buckets), 1)
    for i, (label, v) in enumerate(buckets):
        h = plot_h * v / ymax
        x = left + i * slot + 2
        parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot - 4:.1f}" '
                     f'height="{h:.1f}" fill="{PALETTE[3]}" data-bucket={quoteattr(label)} '
                     f'data-value="{v}"><title>{escape(f"{label}: {v}")}</title></rect>')
        parts.append(f'<text x="{x + (slot - 4) / 2:.1f}" y="{height - 14}" font-size="11" '
                     f'{_FONT} text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
