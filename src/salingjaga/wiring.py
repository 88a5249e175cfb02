"""Connects the domains to the stream and to each other: which handlers run on each topic,
which domains follow moderation's case events, which figures the domains add to /metrics,
and the lookups a lower layer needs from a domain above it.

The stream imports no domain, and no layer imports one above it; this module, at the top,
imports them and registers them with each other.
``wire()`` is called wherever messages may be handled: ``create_app`` (the API and its
embedded worker), ``open_db`` (every command, ``salingjaga worker`` among them) and the
tests, so all of them run the same handlers.
"""

from __future__ import annotations

import threading
from typing import Any

from prometheus_client.registry import Collector

from salingjaga import parts
from salingjaga.auth import partners as auth_partners
from salingjaga.core.db import Database
from salingjaga.core.periodic import register_domain_task
from salingjaga.detection import handlers as detection
from salingjaga.detection import previews, retro
from salingjaga.detection import service as detection_service
from salingjaga.factcheck import service as factcheck
from salingjaga.guide import tags as guide
from salingjaga.moderation import cases as moderation_cases
from salingjaga.moderation import previews as moderation_previews
from salingjaga.moderation.service import queue_stats
from salingjaga.notices import case_events as notices
from salingjaga.notices.intake import IntakeCollector
from salingjaga.partners.service import get_partner, list_partners
from salingjaga.rules import service as rules
from salingjaga.stream import probe
from salingjaga.stream.handlers import register
from salingjaga.stream.metrics import queue_collector, register_app_collector
from salingjaga.web import reasons
from salingjaga.web.panels import provide_panels

_lock = threading.Lock()
_wired = False


def register_handlers() -> None:
    """Every topic's handlers, in the order they run. The names are stable identities
    (receipts and dead letters record them), whatever module the handler lives in."""
    # detection first: the rules and the guide read the signals it stores
    register("content", detection.handle_content, detection.HANDLER)
    register("content", rules.handle_content, "salingjaga.rules.service:handle_content")
    register("content", guide.handle_content, "salingjaga.guide.tags:handle_content")
    register("factcheck", detection.handle_factcheck, detection.FACTCHECK_HANDLER)
    register("probe", probe.handle_probe, "salingjaga.stream.probe:handle_probe")


def subscribe_case_events() -> None:
    """The domains that follow moderation's cases (``moderation.events``), in the order
    their handlers run: the notices of a case move with it."""
    notices.subscribe()


def queue_figures(db: Database) -> dict[str, float]:
    """Open, waiting and overdue cases, from the moderation domain's ``queue_stats``."""
    with db.session() as session:
        stats = queue_stats(session)
    return {"open": float(sum(stats.get("open_by_level", {}).values())),
            "waiting": float(stats.get("waiting", 0)), "overdue": float(stats.get("overdue", 0))}


def _queue_collector(app: Any) -> Collector:
    db: Database = app.state.db
    return queue_collector(lambda: queue_figures(db))


def _intake_collector(app: Any) -> Collector | None:
    intake = getattr(app.state, "notice_intake", None)
    return IntakeCollector(intake) if intake is not None else None


def register_metrics() -> None:
    """The domains' figures on every app's /metrics."""
    register_app_collector("moderation_queue", _queue_collector)
    register_app_collector("notice_intake", _intake_collector)


def register_lookups() -> None:
    """Lookups a lower layer needs from a domain above it, registered here so the lower one
    never imports the higher: auth finds partner organisations (for a partner user and the
    admin page), the fact-check desk finds the content a fact-check matches (detection), a
    case shows its content's signals and pictures (thumbnails, a video's keyframes) and the
    guide asks whether an item is election-related (detection)."""
    auth_partners.register_directory(get_partner, list_partners)
    factcheck.register_content_matcher(retro.matching_content)
    moderation_cases.provide_case_signals(detection_service.signals_for)
    moderation_previews.provide_previews(previews.preview_frames, previews.preview_file)
    guide.provide_election_check(detection_service.is_election_related)


def register_home_panels() -> None:
    """The panels of the signed-in home page (``parts.HOME``), which the shell renders
    without importing the domains that make them."""
    provide_panels(module.panel for module in parts.HOME)


def register_error_words() -> None:
    """How the pages say each error reason (``parts.ERROR_WORDS``), which the shell's
    display layer reads without importing the domains that word them."""
    reasons.provide(module.ERRORS for module in parts.ERROR_WORDS)


def register_background() -> None:
    """The domains' periodic work (``<domain>/background.py``), started by an API process
    or ``salingjaga worker`` (``core.periodic.start_domain_tasks``)."""
    for module in parts.BACKGROUND:
        register_domain_task(module.start)


def wire() -> None:
    """Register every domain with the stream and with each other, and every table with the
    metadata (``parts`` imports each domain's models): once per process, calling again is
    harmless."""
    global _wired
    with _lock:
        if _wired:
            return
        register_handlers()
        subscribe_case_events()
        register_metrics()
        register_lookups()
        register_home_panels()
        register_error_words()
        register_background()
        _wired = True
