"""Notices about one content item sent at the same moment join one case."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from salingjaga.moderation.models import Case
from salingjaga.notices.models import NoticeCase
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body


def test_simultaneous_notices_about_one_item_share_one_open_case(client, world, db):
    """Several flaggers report the same video in the same instant: every notice gets a
    receipt and exactly one review case is open for it (the others joined it)."""
    item = make_content(client, world.key("service"))
    keys = [world.key("partner_reporter", world.partner(name=f"Bawaslu {i}", organisation=f"bawaslu-{i}"))
            for i in range(6)]

    def send(key: str) -> tuple[int, dict]:
        r = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(key))
        return r.status_code, r.json()

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, keys))
    assert [status for status, _ in answers] == [201] * 6, answers
    case_ids = {body["case_id"] for _, body in answers}
    assert len(case_ids) == 1
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Case).where(Case.content_id == item["id"])) == 1
        linked = s.scalar(select(func.count()).select_from(NoticeCase).where(NoticeCase.case_id.in_(case_ids)))
    assert linked == 6
