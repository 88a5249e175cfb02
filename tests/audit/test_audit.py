"""The hash-chained audit log: verification and tampering caught by the CLI."""

from __future__ import annotations

import json

from sqlalchemy import text
from typer.testing import CliRunner

from salingjaga.audit.service import record, verify
from salingjaga.cli import app as cli_app


def _events(db, n=5):
    with db.session() as s:
        for i in range(n):
            record(s, "system:test", "thing.changed", "thing", f"t{i}", {"i": i, "text": "é ü"})


def _cli(settings, command):
    return CliRunner().invoke(cli_app, ["audit", command, "--json", "--database-url", settings.database_url,
                                        "--data-dir", str(settings.data_dir)])


def _verify_cli(settings):
    return _cli(settings, "verify")


def test_intact_chain_verifies(db, settings):
    _events(db)
    with db.session() as s:
        report = verify(s)
    assert report.ok and report.checked == 5
    result = _verify_cli(settings)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True


def test_altered_row_is_named_by_the_cli(db, settings):
    _events(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'user:mallory' WHERE position = 3"))
    result = _verify_cli(settings)
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["ok"] is False and out["first_bad"] == 3


def test_altered_data_is_caught(db, settings):
    _events(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action = 'thing.hidden' WHERE position = 2"))
    out = json.loads(_verify_cli(settings).output)
    assert out["first_bad"] == 2


def test_deleted_row_is_named_by_the_cli(db, settings):
    _events(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE position = 4"))
    result = _verify_cli(settings)
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["first_bad"] == 4 and "missing" in out["reason"]


def test_deleted_last_row_is_not_detectable_without_an_anchor(db, settings):
    # Truncating the tail leaves a shorter valid chain: only an anchor (below) shows it.
    _events(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE position = 5"))
    out = json.loads(_verify_cli(settings).output)
    assert out["ok"] is True and out["checked"] == 4


def test_moderation_workflow_leaves_a_verifiable_chain(client, world, db, settings):
    from tests.conftest import bearer
    from tests.moderation.helpers import make_content, notice_body

    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    moderator = world.key("moderator")
    item = make_content(client, service)
    client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger))
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator),
                json={"action": "remove", "policy": "misinformation", "facts": "False claim."})
    with db.engine.connect() as conn:
        actions = [r[0] for r in conn.execute(text("SELECT action FROM audit_events ORDER BY position"))]
    for expected in ("notice.received", "case.opened", "case.claimed", "content.state_changed", "decision.made"):
        assert expected in actions
    assert _verify_cli(settings).exit_code == 0
    with db.engine.begin() as conn:
        pos = conn.execute(text("SELECT position FROM audit_events WHERE action = 'decision.made'")).scalar()
        value = "CAST(:d AS jsonb)" if db.dialect == "postgresql" else ":d"
        conn.execute(text(f"UPDATE audit_events SET data = {value} WHERE position = :p"),
                     {"d": json.dumps({"action": "no_violation"}), "p": pos})
    out = json.loads(_verify_cli(settings).output)
    assert out["first_bad"] == pos


def test_anchored_head_makes_tail_truncation_show(db, settings):
    from salingjaga.audit.anchors import anchor_path

    _events(db)
    anchored = _cli(settings, "anchor")
    assert anchored.exit_code == 0, anchored.output
    head = json.loads(anchored.output)["anchor"]
    with db.engine.connect() as conn:
        assert head == {"position": 5, "hash": conn.execute(text(
            "SELECT hash FROM audit_events WHERE position = 5")).scalar(), "at": head["at"]}
    _events(db, 2)
    again = json.loads(_verify_cli(settings).output)  # a successful verify anchors the new head
    assert again["ok"] and again["anchor"]["position"] == 7
    assert len(anchor_path(settings.data_dir).read_text().splitlines()) == 2
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE position >= 6"))
    result = _verify_cli(settings)
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["ok"] is False and out["first_bad"] == 6
    assert "entry 6 is missing" in out["reason"] and "entry 7" in out["reason"]
    refused = _cli(settings, "anchor")  # a broken chain is never anchored
    assert refused.exit_code == 1
    assert len(anchor_path(settings.data_dir).read_text().splitlines()) == 2


def test_rewritten_anchored_entry_is_named():
    from salingjaga.audit.anchors import Anchor, check_anchors

    anchors = [Anchor(3, "a" * 64, "2024-02-14T00:00:00+00:00", "db"), Anchor(9, "b" * 64, "x", "db")]
    chain = {3: "a" * 64, 9: "c" * 64}
    report = check_anchors(anchors, chain.get, 9, 9)
    assert report.first_bad == 9 and "does not match" in report.reason
    assert check_anchors(anchors[:1], chain.get, 9, 9).ok
