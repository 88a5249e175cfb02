"""``demo load --history``: the demo filled with an election period from a simulated run
(``simulate.history``), and the transparency rollups brought up to date so its pages show
it at once."""

from __future__ import annotations

from typing import Any

from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.simulate.history import load_history
from salingjaga.transparency.rollup import refresh_rollup


def load_history_and_rollup(db: Database, settings: Settings, scale: float) -> dict[str, Any]:
    """Run the history into the demo database (once) and refresh the daily rollups."""
    added = load_history(settings, scale)
    if added["already_loaded"]:
        return {**added, "summary": "already loaded"}
    with db.session() as session:
        rollup = refresh_rollup(session)
    balance = added["balance"]
    return {**added, "rollup": rollup,
            "summary": f"{added['arrivals']:,} arrivals, {balance['decided']:,} decided "
                       f"({added['wall_seconds']} s); rollup: {rollup['days_rebuilt']} days rebuilt"}
