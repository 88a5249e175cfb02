"""A second review for high-reach content and GPPPA accounts (PRODUCT P3), through HTTP."""

from __future__ import annotations

from salingjaga.moderation.second_review import load_rules, parse_rules, reasons_for
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body


def test_rule_file_and_reasons():
    rules = load_rules()
    assert rules.reach_views == 100_000 and rules.level == "senior_moderator"
    assert reasons_for(rules, ["remove"], 100, gpppa=True) == ["GPPPA account"]
    assert reasons_for(rules, ["fyp_exclude"], 100_000, gpppa=False)[0].startswith("high reach")
    assert reasons_for(rules, ["no_violation"], 10**7, gpppa=True) == []
    assert reasons_for(rules, ["remove"], 99_999, gpppa=False) == []
    assert reasons_for(parse_rules({"reach_views": 5, "actions": ["strike"]}), ["strike"], 5, False)


def _decide(client, key, body):
    case = client.post("/api/v1/queue/claim", headers=bearer(key))
    assert case.status_code == 200, case.text
    r = client.post(f"/api/v1/cases/{case.json()['id']}/decisions", headers=bearer(key), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_gpppa_decision_needs_a_different_senior_and_an_overturn_restores(client, world, db):
    service = world.key("service")
    partner = world.partner("Bawaslu Jabar", region="32")
    flagger = world.key("partner_reporter", partner)
    first_id, first = world.user("senior_moderator")
    moderator = world.key("moderator")
    second = world.key("senior_moderator")
    item = make_content(client, service, account_kind="politician", views=800)
    notice = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger)).json()
    decision = _decide(client, first, {"action": "remove", "policy": "misinformation",
                                       "facts": "The candidate gives a false voting date."})
    assert decision["second_review"] == "pending"
    content = client.get(f"/api/v1/content/{item['id']}", headers=bearer(service)).json()
    assert content["status"] == "removed"  # applied at once, pending the second review
    inbox = client.get("/api/v1/notifications", params={"account_id": item["account_id"]},
                       headers=bearer(service)).json()
    assert inbox[0]["payload"]["second_review"] == "pending"

    # Neither the first decider nor a plain moderator is handed the second review.
    assert client.post("/api/v1/queue/claim", headers=bearer(first)).status_code == 204
    assert client.post("/api/v1/queue/claim", headers=bearer(moderator)).status_code == 204
    review = client.post("/api/v1/queue/claim", headers=bearer(second)).json()
    assert review["kind"] == "second_review" and review["review_of_decision_id"] == decision["id"]
    blocked = client.post(f"/api/v1/cases/{review['id']}/decisions", headers=bearer(first),
                          json={"action": "uphold", "policy": "misinformation", "facts": "Agreed."})
    assert blocked.status_code == 409  # not theirs to hold
    # Even holding the lease, the first decider may not confirm their own decision.
    from salingjaga.moderation.models import Case

    with db.session() as s:
        row = s.get(Case, review["id"])
        row.lease_owner = first_id
    blocked = client.post(f"/api/v1/cases/{review['id']}/decisions", headers=bearer(first),
                          json={"action": "uphold", "policy": "misinformation", "facts": "Agreed."})
    assert blocked.status_code == 403
    with db.session() as s:
        s.get(Case, review["id"]).lease_owner = review["lease_owner"]
    bad = client.post(f"/api/v1/cases/{review['id']}/decisions", headers=bearer(second),
                      json={"action": "fyp_exclude", "policy": "misinformation", "facts": "x"})
    assert bad.status_code == 422

    out = client.post(f"/api/v1/cases/{review['id']}/decisions", headers=bearer(second), json={
        "action": "reverse", "policy": "misinformation", "facts": "The date is given as a joke; not a claim."})
    assert out.status_code == 201, out.text
    final = out.json()
    assert final["reverses_id"] == decision["id"] and final["kind"] == "review"
    assert client.get(f"/api/v1/content/{item['id']}", headers=bearer(service)).json()["status"] == "active"
    original = client.get(f"/api/v1/decisions/{decision['id']}", headers=bearer(service)).json()
    assert original["second_review"] == "overturned" and original["reversed_by_id"] == final["id"]
    statement = client.get(f"/api/v1/statements/{decision['statement_id']}", headers=bearer(service)).json()
    assert statement["end_date_visibility_restriction"] == final["decided_at"][:10]
    seen = client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(flagger)).json()
    assert seen["decision"]["id"] == final["id"] and seen["decision"]["action"] == "reverse"
    partner_inbox = client.get("/api/v1/notifications", headers=bearer(flagger)).json()
    assert partner_inbox[0]["kind"] == "notice.second_review" and partner_inbox[0]["payload"]["actioned"] is False
    creator_inbox = client.get("/api/v1/notifications", params={"account_id": item["account_id"]},
                               headers=bearer(service)).json()
    assert creator_inbox[0]["kind"] == "creator.second_review"
    assert creator_inbox[0]["payload"]["action"] == "reverse"
    assert creator_inbox[0]["payload"]["reversed_decision_ids"] == [decision["id"]]
    feedback = client.get(f"/api/v1/partners/{partner}/feedback", headers=bearer(flagger)).json()
    assert feedback["totals"]["actioned"] == 0 and feedback["totals"]["unfounded"] == 1


def test_high_reach_is_confirmed_and_low_reach_needs_no_second_review(client, world):
    service = world.key("service")
    user = world.key("user")
    moderator = world.key("moderator")
    senior = world.key("senior_moderator")
    viral = make_content(client, service, views=250_000)
    quiet = make_content(client, service, views=100)
    client.post("/api/v1/notices", json=notice_body(viral), headers=bearer(user))
    first = _decide(client, moderator, {"action": "fyp_exclude", "policy": "misinformation",
                                        "facts": "False claim about the counting."})
    assert first["second_review"] == "pending"
    review = client.post("/api/v1/queue/claim", headers=bearer(senior)).json()
    assert review["kind"] == "second_review"
    out = client.post(f"/api/v1/cases/{review['id']}/decisions", headers=bearer(senior), json={
        "action": "uphold", "policy": "misinformation", "facts": "Confirmed: the claim is false."})
    assert out.status_code == 201, out.text
    content = client.get(f"/api/v1/content/{viral['id']}", headers=bearer(service)).json()
    assert content["fyp_excluded"] is True and content["status"] == "active"
    original = client.get(f"/api/v1/decisions/{first['id']}", headers=bearer(service)).json()
    assert original["second_review"] == "confirmed" and original["reversed_by_id"] is None
    statement = client.get(f"/api/v1/statements/{first['statement_id']}", headers=bearer(service)).json()
    assert statement.get("end_date_visibility_restriction") is None
    inbox = client.get("/api/v1/notifications", params={"account_id": viral["account_id"]},
                       headers=bearer(service)).json()
    assert inbox[0]["kind"] == "creator.second_review" and inbox[0]["payload"]["second_review"] == "confirmed"
    assert inbox[0]["payload"]["appeal"]["endpoint"] == f"/api/v1/decisions/{first['id']}/appeals"

    client.post("/api/v1/notices", json=notice_body(quiet), headers=bearer(user))
    plain = _decide(client, moderator, {"action": "remove", "policy": "misinformation", "facts": "False."})
    assert plain["second_review"] is None
    assert client.get(f"/api/v1/content/{quiet['id']}", headers=bearer(service)).json()["status"] == "removed"
    assert client.post("/api/v1/queue/claim", headers=bearer(senior)).status_code == 204
