"""A server keeps the transparency rollups fresh on its own."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from salingjaga.app import create_app
from salingjaga.transparency.models import DailyNotices, DirtyDay
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body


def test_the_server_refreshes_the_rollups_without_a_report(world, db, settings):
    """A notice marks its day; the embedded server's refresh thread rolls it up with no
    report asked for, so the next report has nothing left to rebuild."""
    embedded = settings.model_copy(update={"stream": "memory", "rollup_interval_seconds": 0.2,
                                           "maintenance_interval_seconds": 0})
    with TestClient(create_app(embedded)) as client:
        item = make_content(client, world.key("service"))
        flagger = world.key("partner_reporter", world.partner())
        assert client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger)).status_code == 201
        for _ in range(200):  # no request to the app from here on
            with db.session() as s:
                dirty = s.scalar(select(func.count()).select_from(DirtyDay))
                rolled = s.scalar(select(func.coalesce(func.sum(DailyNotices.notices), 0)))
            if dirty == 0 and rolled:
                break
            time.sleep(0.05)
    assert dirty == 0
    assert rolled == 1
