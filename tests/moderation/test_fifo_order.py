"""``queue_order = "fifo"``: the claim takes the oldest waiting case, whatever its priority
(the baseline a simulation compares the claim order with); the default takes the most urgent."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from salingjaga.auth.service import create_user, principal_for_user
from salingjaga.content.schemas import AccountIn, ContentIn
from salingjaga.content.service import ingest_content, upsert_account
from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import WIB, VirtualClock, use_clock
from salingjaga.moderation.service import claim_committed, claim_next, open_case


@pytest.mark.parametrize(("order", "first"), [("fifo", "old report"), ("priority", "new notice")])
def test_the_claim_follows_the_queue_order(db: Database, settings: Settings, order: str, first: str) -> None:
    clock = VirtualClock(datetime(2024, 1, 20, 10, 0, tzinfo=WIB))
    cfg = settings.model_copy(update={"queue_order": order})
    with use_clock(clock):
        with db.session() as s:
            upsert_account(s, AccountIn(platform_id="acc-fifo", handle="fifo", kind="personal", region="32"))
            reasons = {}
            for n, (source, reason) in enumerate((("user_report", "old report"), ("trusted_flagger", "new notice"))):
                item, _ = ingest_content(s, ContentIn(platform_id=f"fifo-{n}", kind="video", account_id="acc-fifo",
                                                      region="32"), settings.data_dir)
                case = open_case(s, content_id=item.id, policy="misinformation", source=source, reason=reason,
                                 settings=cfg)
                reasons[case.id] = reason
                clock.advance(60)
            who = principal_for_user(create_user(s, name="m", role="moderator"))
        with db.session() as s:
            case = claim_next(s, who, cfg)
            assert case is not None and reasons[case.id] == first
        taken = claim_committed(db, who, cfg)
        assert taken is not None and reasons[taken.id] != first
    assert clock.now() - timedelta(seconds=120) == datetime(2024, 1, 20, 10, 0, tzinfo=WIB)
