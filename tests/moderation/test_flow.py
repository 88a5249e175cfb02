"""The trusted-flagger channel end to end, through HTTP."""

from __future__ import annotations

from salingjaga.moderation.statements import validate_statement
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body


def test_trusted_flagger_notice_is_claimed_before_an_older_user_report(client, world):
    service = world.key("service")
    user = world.key("user")
    bawaslu = world.partner("Bawaslu Jabar", region="32")
    flagger = world.key("partner_reporter", bawaslu)
    moderator = world.key("moderator")
    older = make_content(client, service, views=900000, shares=50000)
    newer = make_content(client, service, views=10)

    r = client.post("/api/v1/notices", json=notice_body(older, "civic_election_integrity"), headers=bearer(user))
    assert r.status_code == 201, r.text
    user_case = r.json()["case_id"]
    r = client.post("/api/v1/notices", json=notice_body(newer), headers=bearer(flagger))
    assert r.status_code == 201, r.text
    flagger_case = r.json()["case_id"]

    first = client.post("/api/v1/queue/claim", headers=bearer(moderator))
    assert first.status_code == 200, first.text
    assert first.json()["id"] == flagger_case
    assert first.json()["source"] == "trusted_flagger"
    second = client.post("/api/v1/queue/claim", headers=bearer(moderator))
    assert second.json()["id"] == user_case
    assert client.post("/api/v1/queue/claim", headers=bearer(moderator)).status_code == 204


def test_two_moderators_never_hold_the_same_case(client, world):
    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    a, b = world.key("moderator"), world.key("moderator")
    item = make_content(client, service)
    client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger))
    assert client.post("/api/v1/queue/claim", headers=bearer(a)).status_code == 200
    assert client.post("/api/v1/queue/claim", headers=bearer(b)).status_code == 204


def test_idempotency_key_makes_retries_one_notice(client, world, db):
    from sqlalchemy import func, select

    from salingjaga.notices.models import Notice

    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    item = make_content(client, service)
    headers = {**bearer(flagger), "Idempotency-Key": "bawaslu-2024-0001"}
    first = client.post("/api/v1/notices", json=notice_body(item), headers=headers)
    again = client.post("/api/v1/notices", json=notice_body(item), headers=headers)
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 1
    other_body = notice_body(item, policy="hate_speech_sara")
    clash = client.post("/api/v1/notices", json=other_body, headers=headers)
    assert clash.status_code == 409


def test_notices_about_one_content_join_one_case(client, world):
    service = world.key("service")
    user = world.key("user")
    flagger = world.key("partner_reporter", world.partner())
    item = make_content(client, service)
    a = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(user)).json()
    b = client.post("/api/v1/notices", json=notice_body(item, "civic_election_integrity"),
                    headers=bearer(flagger)).json()
    assert a["case_id"] == b["case_id"]
    moderator = world.key("moderator")
    case = client.get(f"/api/v1/cases/{a['case_id']}", headers=bearer(moderator)).json()
    assert {n["id"] for n in case["notices"]} == {a["id"], b["id"]}
    assert case["source"] == "trusted_flagger"  # the join raised the case's urgency


def test_regency_notice_visible_to_its_province_not_to_another(client, world):
    service = world.key("service")
    national = world.partner("Bawaslu RI")
    jabar = world.partner("Bawaslu Jawa Barat", region="32")
    bandung = world.partner("Bawaslu Kota Bandung", region="32.73")
    jatim = world.partner("Bawaslu Jawa Timur", region="35")
    kpu = world.partner("KPU RI", kind="election_commission", organisation="kpu")
    item = make_content(client, service)
    notice = client.post("/api/v1/notices", json=notice_body(item),
                         headers=bearer(world.key("partner_reporter", bandung))).json()
    for partner, visible in ((jabar, True), (national, True), (bandung, True), (jatim, False), (kpu, False)):
        key = world.key("partner_reporter", partner)
        r = client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(key))
        assert r.status_code == (200 if visible else 404), (partner, r.text)
        listed = {n["id"] for n in client.get("/api/v1/notices", headers=bearer(key)).json()}
        assert (notice["id"] in listed) is visible


def test_decision_statement_and_notifier_outcome(client, world):
    service = world.key("service")
    bawaslu = world.partner("Bawaslu Jabar", region="32")
    flagger = world.key("partner_reporter", bawaslu)
    moderator = world.key("moderator")
    item = make_content(client, service)
    notice = client.post("/api/v1/notices", json=notice_body(
        item, "civic_election_integrity", legal_ground="UU 7/2017 Pasal 280 ayat (1) huruf c"),
        headers=bearer(flagger)).json()
    assert client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(flagger)).json()["status"] == "received"
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    assert client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(flagger)).json()["status"] == "in_review"
    r = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
        "action": "remove", "policy": "civic_election_integrity",
        "legal_ground": "UU 7/2017 Pasal 280 ayat (1) huruf c",
        "facts": "The video tells voters they can vote by sending their ID card over WhatsApp.",
    })
    assert r.status_code == 201, r.text
    decision = r.json()
    assert decision["statement_id"]

    st = client.get(f"/api/v1/statements/{decision['statement_id']}", headers=bearer(service)).json()
    assert validate_statement(st) == []
    assert st["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert st["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert st["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert st["illegal_content_legal_ground"] == "UU 7/2017 Pasal 280 ayat (1) huruf c"
    assert st["category"] == "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
    assert "KEYWORD_MISINFORMATION_DISINFORMATION" in st["category_specification"]
    assert st["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"

    seen = client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(flagger)).json()
    assert seen["status"] == "decided"
    assert seen["decision"]["action"] == "remove"
    assert seen["decision"]["policy"] == "civic_election_integrity"
    assert seen["decision"]["statement_id"] == decision["statement_id"]
    content = client.get(f"/api/v1/content/{item['id']}", headers=bearer(service)).json()
    assert content["status"] == "removed"
    partner_inbox = client.get("/api/v1/notifications", headers=bearer(flagger)).json()
    assert partner_inbox[0]["payload"]["decision"]["action"] == "remove"


def test_creator_is_told_reasons_and_appeal_but_never_who_reported(client, world):
    service = world.key("service")
    bawaslu = world.partner("Bawaslu Jabar", region="32")
    flagger_id, flagger = world.user("partner_reporter", bawaslu, name="Agus Pengawas")
    moderator = world.key("moderator")
    item = make_content(client, service)
    notice = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger)).json()
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    decision = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
        "action": "fyp_exclude", "policy": "misinformation", "facts": "A false claim about voting."}).json()
    inbox = client.get("/api/v1/notifications", params={"account_id": item["account_id"]},
                       headers=bearer(service)).json()
    inbox = [n for n in inbox if n["decision_id"] == decision["id"]]
    assert len(inbox) == 1
    text = str(inbox[0]["payload"])
    assert inbox[0]["payload"]["appeal"]["endpoint"] == f"/api/v1/decisions/{decision['id']}/appeals"
    assert inbox[0]["payload"]["reasons"] == "A false claim about voting."
    for secret in (bawaslu, flagger_id, notice["id"], "Bawaslu", "Agus", "pengawasan@"):
        assert secret not in text
    statement = client.get(f"/api/v1/statements/{decision['statement_id']}", headers=bearer(service)).json()
    assert "source_identity" not in statement
    for secret in (bawaslu, "Bawaslu", notice["id"]):
        assert secret not in str(statement)


def test_same_moderator_cannot_decide_the_appeal_and_reversal_restores(client, world):
    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    first_mod = world.key("moderator")
    second_mod = world.key("moderator")
    item = make_content(client, service)
    client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger))
    case = client.post("/api/v1/queue/claim", headers=bearer(first_mod)).json()
    decision = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(first_mod), json={
        "action": "remove", "policy": "misinformation", "facts": "False voting procedure."}).json()

    appeal = client.post(f"/api/v1/decisions/{decision['id']}/appeals", headers=bearer(service),
                         json={"reason": "It was satire, clearly marked."})
    assert appeal.status_code == 201, appeal.text
    appeal_case = appeal.json()["case_id"]
    # The first moderator is never handed the appeal, and may not decide it directly either.
    assert client.post("/api/v1/queue/claim", headers=bearer(first_mod)).status_code == 204
    blocked = client.post(f"/api/v1/cases/{appeal_case}/decisions", headers=bearer(first_mod), json={
        "action": "uphold", "policy": "misinformation", "facts": "Still false."})
    assert blocked.status_code in (403, 409)

    claimed = client.post("/api/v1/queue/claim", headers=bearer(second_mod)).json()
    assert claimed["id"] == appeal_case and claimed["kind"] == "appeal"
    out = client.post(f"/api/v1/cases/{appeal_case}/decisions", headers=bearer(second_mod), json={
        "action": "reverse", "policy": "misinformation", "facts": "Satire label visible; not misleading."})
    assert out.status_code == 201, out.text
    assert out.json()["reverses_id"] == decision["id"]
    content = client.get(f"/api/v1/content/{item['id']}", headers=bearer(service)).json()
    assert content["status"] == "active"
    original = client.get(f"/api/v1/decisions/{decision['id']}", headers=bearer(service)).json()
    assert original["reversed_by_id"] == out.json()["id"]


def test_notifier_may_appeal_only_when_nothing_was_done(client, world):
    service = world.key("service")
    partner = world.partner()
    flagger = world.key("partner_reporter", partner)
    mod_a, mod_b = world.key("moderator"), world.key("moderator")
    item = make_content(client, service)
    notice = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger)).json()
    case = client.post("/api/v1/queue/claim", headers=bearer(mod_a)).json()
    kept = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(mod_a), json={
        "action": "no_violation", "policy": "misinformation", "facts": "Opinion, not a factual claim."}).json()
    assert kept["statement_id"] is None
    other = world.key("partner_reporter", world.partner("Bawaslu Jatim", region="35"))
    assert client.post(f"/api/v1/decisions/{kept['id']}/appeals", headers=bearer(other),
                       json={"reason": "x"}).status_code == 404
    assert client.post(f"/api/v1/decisions/{kept['id']}/appeals", headers=bearer(service),
                       json={"reason": "x"}).status_code == 422
    r = client.post(f"/api/v1/decisions/{kept['id']}/appeals", headers=bearer(flagger),
                    json={"reason": "The caption gives a false date for voting."})
    assert r.status_code == 201, r.text
    assert client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(flagger)).json()["status"] == "appealed"
    claimed = client.post("/api/v1/queue/claim", headers=bearer(mod_b)).json()
    out = client.post(f"/api/v1/cases/{claimed['id']}/decisions", headers=bearer(mod_b), json={
        "action": "label_unverified", "policy": "misinformation", "facts": "The date given is false."}).json()
    assert out["statement_id"]
    seen = client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(flagger)).json()
    assert seen["status"] == "decided" and seen["decision"]["action"] == "label_unverified"


def test_upheld_appeal_keeps_the_notice_actioned_in_partner_feedback(client, world):
    service = world.key("service")
    partner = world.partner("Bawaslu Jabar", region="32")
    flagger = world.key("partner_reporter", partner)
    first_mod, second_mod = world.key("moderator"), world.key("moderator")
    item = make_content(client, service)
    notice = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger)).json()
    case = client.post("/api/v1/queue/claim", headers=bearer(first_mod)).json()
    decision = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(first_mod), json={
        "action": "remove", "policy": "misinformation", "facts": "False voting procedure."}).json()
    appeal = client.post(f"/api/v1/decisions/{decision['id']}/appeals", headers=bearer(service),
                         json={"reason": "I disagree."}).json()
    client.post("/api/v1/queue/claim", headers=bearer(second_mod))
    r = client.post(f"/api/v1/cases/{appeal['case_id']}/decisions", headers=bearer(second_mod),
                    json={"action": "uphold", "policy": "misinformation", "facts": "Still false."})
    assert r.status_code == 201, r.text
    content = client.get(f"/api/v1/content/{item['id']}", headers=bearer(service)).json()
    assert content["status"] == "removed"
    feedback = client.get(f"/api/v1/partners/{partner}/feedback", headers=bearer(flagger)).json()
    assert feedback["totals"]["share_actioned"] == 1.0, feedback
    assert feedback["totals"]["unfounded"] == 0
    seen = client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(flagger)).json()
    assert seen["decision"]["action"] == "remove", seen


def test_the_statement_preview_is_the_statement_the_decision_stores(client, world, db):
    """The console previews the statement of reasons while the moderator chooses; what the
    decision then stores is the same statement (only its id differs), down to the account
    type of a business account, which the preview used to leave out."""
    from salingjaga.moderation.service import get_case, preview_statement

    service, moderator = world.key("service"), world.key("moderator")
    item = make_content(client, service, account_kind="business")
    client.post("/api/v1/notices", json=notice_body(item, "civic_election_integrity"),
                headers=bearer(world.key("partner_reporter", world.partner("Bawaslu Jabar", region="32"))))
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    choice = {"action": "remove", "policy": "civic_election_integrity",
              "legal_ground": "UU 7/2017 Pasal 280 ayat (1) huruf c",
              "facts": "The video tells voters they can vote by sending their ID card over WhatsApp."}
    with db.session() as s:
        preview = preview_statement(s, get_case(s, case["id"]), **choice)
        assert preview_statement(s, get_case(s, case["id"]), action="no_violation",
                                 policy="civic_election_integrity", facts="fine") is None
    assert preview is not None
    data, errors = preview
    assert errors == [] and data["account_type"] == "ACCOUNT_TYPE_BUSINESS"
    decision = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json=choice).json()
    stored = client.get(f"/api/v1/statements/{decision['statement_id']}", headers=bearer(service)).json()
    assert {k: v for k, v in stored.items() if k != "puid"} == {k: v for k, v in data.items() if k != "puid"}
