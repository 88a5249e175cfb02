"""Group commit of notices: many notices in one transaction, each answered as if alone."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any

from sqlalchemy import func, select

from salingjaga.audit.models import AuditEvent, PendingAuditEvent
from salingjaga.auth.service import authenticate_key
from salingjaga.core.errors import Conflict, Invalid
from salingjaga.moderation.models import Case
from salingjaga.notices import intake as intake_module
from salingjaga.notices.models import Notice, NoticeCase
from salingjaga.notices.schemas import NoticeIn
from salingjaga.notices.service import NoticeJob, submit_notice, submit_notices
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body
from tests.support.locks import table_locked


def _count(db: Any, model: Any, *where: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _events(db: Any, action: str) -> int:
    # Deferred mode (PostgreSQL pass) keeps events pending until the chainer runs.
    return _count(db, AuditEvent, AuditEvent.action == action) + _count(
        db, PendingAuditEvent, PendingAuditEvent.action == action)


def test_a_batch_answers_each_notice_as_if_it_came_alone(client, world, db, settings):
    """Two flaggers report one video, a third reports another, one notice names nothing we
    know, one is not in good faith, one repeats a key in the same batch and one reuses a
    key with another body: the good ones are written, the bad ones get their own error and
    leave nothing behind."""
    service = world.key("service")
    video, other = make_content(client, service), make_content(client, service)
    keys = [world.key("partner_reporter", world.partner(name=f"Bawaslu {i}", organisation=f"bw-{i}"))
            for i in range(3)]
    with db.session() as s:
        a, b, c = (authenticate_key(s, k) for k in keys)
    first = NoticeIn.model_validate(notice_body(video))
    jobs = [
        NoticeJob(first, a, "k-1"),
        NoticeJob(NoticeIn.model_validate(notice_body(video, "civic_election_integrity")), b, "k-2"),
        NoticeJob(NoticeIn.model_validate(notice_body(other)), c, None),
        NoticeJob(NoticeIn.model_validate({**notice_body(video), "content": [{"url": "https://video.example/x"}]}),
                  a, "k-3"),
        NoticeJob(NoticeIn.model_validate(notice_body(video, good_faith=False)), b, "k-4"),
        NoticeJob(first, a, "k-1"),  # the same notice again within the batch
        NoticeJob(NoticeIn.model_validate(notice_body(other)), a, "k-1"),  # same key, other body
    ]
    with db.session() as s:
        outcomes = submit_notices(s, jobs, settings)
        answers = [(o.notice.id if o.notice else None, o.created, type(o.error).__name__ if o.error else None)
                   for o in outcomes]
        cases = [o.notice.case_id if o.notice else None for o in outcomes]
    assert [(created, error) for _, created, error in answers] == [
        (True, None), (True, None), (True, None), (False, "Invalid"), (False, "Invalid"),
        (False, None), (False, "Conflict")]
    assert answers[5][0] == answers[0][0]  # the repeat is answered with the first notice
    assert cases[0] == cases[1] != cases[2]  # two notices about one video share its case
    assert _count(db, Notice) == 3 and _count(db, NoticeCase) == 3
    assert _count(db, Case, Case.content_id == video["id"]) == 1
    with db.session() as s:
        case = s.get(Case, cases[0])
        assert case is not None
        assert {(x["source"], x["policy"]) for x in case.sources} == {
            ("trusted_flagger", "misinformation"), ("trusted_flagger", "civic_election_integrity")}
    assert _events(db, "notice.received") == 3
    assert _events(db, "case.opened") == 2 and _events(db, "case.joined") == 1
    # A later batch replays a key the first one wrote.
    with db.session() as s:
        again = submit_notices(s, [NoticeJob(first, a, "k-1")], settings)[0]
        assert again.notice is not None and again.notice.id == answers[0][0] and not again.created
    assert _count(db, Notice) == 3


def test_a_key_is_looked_up_for_its_own_submitter_only(world, db, settings, client):
    """Two partners may use the same Idempotency-Key; a later batch replays each partner's
    own notice (the look-up pairs submitter and key exactly, on both databases)."""
    service = world.key("service")
    video, other = make_content(client, service), make_content(client, service)
    keys = [world.key("partner_reporter", world.partner()) for _ in range(3)]
    with db.session() as s:
        a, b, c = (authenticate_key(s, k) for k in keys)
    body_a = NoticeIn.model_validate(notice_body(video))
    body_b = NoticeIn.model_validate(notice_body(other))
    with db.session() as s:
        first = submit_notices(s, [NoticeJob(body_a, a, "same"), NoticeJob(body_b, b, "same"),
                                   NoticeJob(body_a, a, "a-only")], settings)
        ids = [o.notice.id for o in first if o.notice]
    assert len(set(ids)) == 3 and all(o.created for o in first)
    with db.session() as s:
        again = submit_notices(s, [NoticeJob(body_b, b, "same"), NoticeJob(body_a, a, "same"),
                                   NoticeJob(body_a, c, "same"), NoticeJob(body_b, b, "a-only")], settings)
        answers = [(o.notice.id if o.notice else None, o.created) for o in again]
    assert answers[:2] == [(ids[1], False), (ids[0], False)]
    assert answers[2][1] and answers[2][0] not in ids  # c's first use of the key: a new notice
    assert answers[3][1] and answers[3][0] not in ids  # b never used "a-only"
    assert _count(db, Notice) == 5


def test_notices_waiting_for_the_writer_are_committed_together(client, world, db, app, monkeypatch):
    """While the writer is busy with one batch the next notices queue up; it then commits
    all of those in one transaction, and every client gets its own receipt."""
    service = world.key("service")
    items = [make_content(client, service) for _ in range(5)]
    key = world.key("partner_reporter", world.partner())
    intake = app.state.notice_intake
    real = intake_module.submit_notices
    release = threading.Event()
    sizes: list[int] = []
    # The first batch is slow: on PostgreSQL (the batch runs on the event loop) it waits
    # for a lock another transaction holds on the notices table, as behind a long
    # transaction; on SQLite (the batch runs in a worker thread) the batch itself waits.
    on_loop = app.state.loop_sessions.on_loop

    def slow_first(session: Any, jobs: list[NoticeJob], settings: Any) -> Any:
        sizes.append(len(jobs))
        if len(sizes) == 1 and not on_loop:
            release.wait(30)
        return real(session, jobs, settings)

    monkeypatch.setattr(intake_module, "submit_notices", slow_first)

    def send(n: int) -> Any:
        return client.post("/api/v1/notices", json=notice_body(items[n]),
                           headers={**bearer(key), "Idempotency-Key": f"wait-{n}"})

    with table_locked(db, "notices", release) if on_loop else nullcontext(), ThreadPoolExecutor(max_workers=5) as pool:
        try:
            futures = [pool.submit(send, 0)]
            deadline = time.monotonic() + 20
            while not sizes:
                assert time.monotonic() < deadline, "the first notice never reached the writer"
                time.sleep(0.01)
            futures += [pool.submit(send, n) for n in range(1, 5)]
            while intake.queued() < 4:
                assert time.monotonic() < deadline, "the notices never queued"
                time.sleep(0.01)
            release.set()
            answers = [f.result() for f in futures]
        finally:
            release.set()
    assert [r.status_code for r in answers] == [201] * 5, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 5
    assert sizes == [1, 4]
    assert _count(db, Notice) == 5


def test_a_failed_batch_is_taken_again_notice_by_notice(client, world, db, app, monkeypatch):
    """When a batch's writes fail (here: injected) nothing of it stays, and each notice is
    taken again on its own: the good ones get receipts, the bad one its own error."""
    service = world.key("service")
    item = make_content(client, service)
    key = world.key("partner_reporter", world.partner())
    real = intake_module.submit_notices
    failures = []

    def failing_once(session: Any, jobs: list[NoticeJob], settings: Any) -> Any:
        outcomes = real(session, jobs, settings)
        if not failures:
            failures.append(len(jobs))
            session.flush()
            raise RuntimeError("the batch's transaction broke")
        return outcomes

    monkeypatch.setattr(intake_module, "submit_notices", failing_once)
    good = client.post("/api/v1/notices", json=notice_body(item), headers={**bearer(key), "Idempotency-Key": "f-1"})
    assert failures == [1]
    assert good.status_code == 201, good.text
    bad = client.post("/api/v1/notices", json=notice_body(item, good_faith=False), headers=bearer(key))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"
    assert _count(db, Notice) == 1
    assert _events(db, "notice.received") == 1  # the failed batch's event was rolled back
    replay = client.post("/api/v1/notices", json=notice_body(item), headers={**bearer(key), "Idempotency-Key": "f-1"})
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["id"] == good.json()["id"]


def test_submit_notice_raises_the_error_of_its_one_job(world, db, settings, client):
    service = world.key("service")
    item = make_content(client, service)
    key = world.key("partner_reporter", world.partner())
    with db.session() as s:
        who = authenticate_key(s, key)
        body = NoticeIn.model_validate(notice_body(item))
        notice, created = submit_notice(s, body, who, idempotency_key="one", settings=settings)
        assert created and notice.idempotency_key == "one"
        other = NoticeIn.model_validate(notice_body(item, "civic_election_integrity"))
        try:
            submit_notice(s, other, who, idempotency_key="one", settings=settings)
        except Conflict as exc:
            assert "Idempotency-Key" in exc.message
        else:
            raise AssertionError("reusing a key for another notice must be refused")
        try:
            submit_notice(s, NoticeIn.model_validate(notice_body(item, good_faith=False)), who,
                          idempotency_key=None, settings=settings)
        except Invalid as exc:
            assert "good_faith" in exc.message
        else:
            raise AssertionError("a notice not in good faith must be refused")


def test_an_overloaded_intake_refuses_with_503_and_takes_nothing(client, world, db, app):
    item = make_content(client, world.key("service"))
    key = world.key("partner_reporter", world.partner())
    app.state.notice_intake.max_queued = 0  # as if thousands of notices were waiting
    r = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(key))
    assert r.status_code == 503 and r.json()["error"]["code"] == "overloaded"
    assert r.headers["Retry-After"] == "5"
    assert _count(db, Notice) == 0
    app.state.notice_intake.max_queued = 2000
    assert client.post("/api/v1/notices", json=notice_body(item), headers=bearer(key)).status_code == 201


def test_a_writer_that_stops_leaves_no_request_waiting():
    """Whatever is still queued when the writer task ends (a bug, the loop shutting down)
    is answered 503 so the client sends it again, instead of waiting forever."""
    from salingjaga.core.errors import APIError
    from salingjaga.notices.intake import _fail_leftovers

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        pending: asyncio.Queue[Any] = asyncio.Queue()
        waiting = loop.create_future()
        pending.put_nowait((None, waiting))
        pending.put_nowait(None)  # a stop marker is skipped

        async def crash() -> None:
            raise RuntimeError("a bug in the writer")

        task = loop.create_task(crash())
        await asyncio.wait([task])
        _fail_leftovers(task, pending=pending)
        error = waiting.exception()
        assert isinstance(error, APIError) and error.status == 503 and error.headers == {"Retry-After": "1"}
        assert pending.empty()

    asyncio.run(scenario())
