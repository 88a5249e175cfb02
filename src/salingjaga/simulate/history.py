"""An election period's record for the demo: a scenario run into an existing database (the
demo's) through the real services, so decisions, statements of reasons, notices and the
transparency pages hold a whole election at the seeds' scale instead of a handful.

Unlike a planning run, nothing is emptied first and only the claim order runs. It goes into
a database without cases (the demo loads its own after it); a database that already holds
the simulated items is left alone (the run is not repeated).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from salingjaga.audit.service import chain_all
from salingjaga.content.models import ContentItem
from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.moderation.models import Case
from salingjaga.simulate.arrivals import generate
from salingjaga.simulate.engine import Progress, Simulation
from salingjaga.simulate.metrics import summarise
from salingjaga.simulate.runner import run_settings
from salingjaga.simulate.scenario import Scenario, find_scenario, load_scenario

HISTORY = "pemilu-2024-history"
MARKER = "sim-0"  # the platform id of a run's first item


def load_history(settings: Settings, scale: float = 1.0, scenario: Scenario | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Run the history scenario (``scale`` of its inflow) into ``settings``' database and
    chain its audit events; what it added, or ``{"already_loaded": True}``."""
    scenario = (scenario or load_scenario(find_scenario(HISTORY))).scaled(scale)
    db = Database(settings.database_url, audit_deferred=True)
    try:
        with db.session() as session:
            if session.scalar(select(ContentItem.id).where(ContentItem.platform_id == MARKER)) is not None:
                return {"already_loaded": True}
            if session.scalar(select(Case.id).limit(1)) is not None:
                raise ValueError("the history goes into a database without cases (its moderators would "
                                 "claim the cases waiting there): load it into a fresh database first")
        inflow = generate(scenario)
        started = time.perf_counter()
        run = run_settings(scenario, settings.database_url, settings.data_dir, "priority")
        result = Simulation(scenario, inflow, db, run, progress).run()
        chain_all(db)
    finally:
        db.dispose()
    summary = summarise(scenario, inflow, result)
    return {"already_loaded": False, "scenario": scenario.name, "scale": scale,
            "arrivals": len(inflow.arrivals), "balance": summary["balance"],
            "wall_seconds": round(time.perf_counter() - started, 1)}
