"""Reading the routing thresholds for the admin page.

Thresholds are data files owned by the domains that apply them (detection, moderation,
rules). The admin page only shows them, so it reads every ``*routing*.toml`` and
``*threshold*.toml`` of every domain (beside the code or under ``data/``) and flattens
them for the raw view, and hands a routing file's rules as written to the page, which says
each in words (``web.routing_words``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class ThresholdFile:
    """One file's settings as (dotted key, value) rows."""

    domain: str
    name: str
    rows: list[tuple[str, str]]
    # a routing file's rules as written (the page says them in words) and its default floor
    rules: list[dict[str, Any]] = field(default_factory=list)
    min_score: float | None = None


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), sub, out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, sub in enumerate(value):
            _flatten(f"{prefix}[{i}]", sub, out)
    else:
        out.append((prefix, ", ".join(map(str, value)) if isinstance(value, list) else str(value)))


def _data_files(folder: Any, depth: int = 0) -> list[Any]:
    found = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.is_dir() and depth < 2:
            found.extend(_data_files(item, depth + 1))
        elif item.name.endswith(".toml") and ("routing" in item.name or "threshold" in item.name):
            found.append(item)
    return found


def routing_thresholds() -> list[ThresholdFile]:
    """Every routing/threshold data file shipped by a domain, flattened for display."""
    from salingjaga.domains import DOMAINS

    files: list[ThresholdFile] = []
    for domain in DOMAINS:
        try:
            root = resources.files(f"salingjaga.{domain}")
        except ModuleNotFoundError:
            continue
        found = [item for item in root.iterdir()
                 if item.name.endswith(".toml") and ("routing" in item.name or "threshold" in item.name)]
        data = root.joinpath("data")
        if data.is_dir():
            found.extend(_data_files(data))
        for item in found:
            try:
                parsed = tomllib.loads(item.read_text("utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            rows: list[tuple[str, str]] = []
            _flatten("", parsed, rows)
            rules = [r for r in parsed.get("rules", []) if isinstance(r, dict)]
            floor = (parsed.get("defaults") or {}).get("min_score")
            files.append(ThresholdFile(domain, item.name, rows, rules,
                                       float(floor) if isinstance(floor, int | float) else None))
    return files
