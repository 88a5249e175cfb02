"""Conformance with the official DSA Transparency Database API: its own example submissions
pass ``validate-statements``, statements it refuses fail with the field named, and an export
after decisions under every policy holds only EEA restrictions, each of which passes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from salingjaga.cli import app as cli_app
from salingjaga.core.timeutil import WIB, utcnow
from salingjaga.policies.dsa import dsa_enums
from salingjaga.policies.service import all_policies
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dsa"


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli_app, ["transparency", *args])


def test_the_official_example_submissions_pass():
    single = FIXTURES / "example_statement.json"
    multi = FIXTURES / "example_multi_statements.json"
    assert len(json.loads(multi.read_text())["statements"]) == 10
    result = _run("validate-statements", str(single), str(multi), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"ok": True, "errors": {str(single): [], str(multi): []}}


def _old_statement(puid: str, category: str, **extra: Any) -> dict[str, Any]:
    """A statement as SalingJaga exported it before the API's current enumerations."""
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "SalingJaga community guidelines: Political ads",
        "incompatible_content_explanation": "An advertisement for a candidate.",
        "content_type": ["CONTENT_TYPE_VIDEO"], "category": category,
        "category_specification": ["KEYWORD_OTHER"], "category_specification_other": "Political ads",
        "territorial_scope": list(dsa_enums().eea_countries), "content_date": "2024-02-01",
        "application_date": "2024-02-02", "decision_facts": "An advertisement for a candidate.",
        "source_type": "SOURCE_VOLUNTARY", "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED", "puid": puid, **extra,
    }


def test_statements_the_api_refuses_fail_naming_statement_and_field(tmp_path: Path):
    scope = "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"
    batch = {"statements": [
        _old_statement("sor_ads", scope),
        _old_statement("sor_lang", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", content_language="XY"),
        _old_statement("sor_ok", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", content_language="ID"),
    ]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(batch))
    result = _run("validate-statements", str(path), "--json")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"][str(path)]
    assert errors == [
        f"statements[0]: category: '{scope}' is not a valid value (removed from the DSA Transparency "
        "Database on 2025-02-26)",
        "statements[1]: content_language: 'XY' is not one of the API's uppercase ISO 639-1 codes (e.g. 'ID', 'EN')",
    ]
    text = _run("validate-statements", str(path))
    assert text.exit_code == 1 and "2 error(s)" in text.stdout and "category:" in text.stdout


def _decide(client: Any, world: Any, moderator: str, service: str, policy: str, action: str,
            **extra: Any) -> dict[str, Any]:
    """A user's notice about new content, claimed and decided by ``moderator``."""
    item = make_content(client, service, caption=f"Video tentang {policy}")
    user = world.key("user")
    r = client.post("/api/v1/notices", json=notice_body(item, policy), headers=bearer(user))
    assert r.status_code == 201, r.text
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator))
    assert case.status_code == 200 and case.json()["id"] == r.json()["case_id"], case.text
    d = client.post(f"/api/v1/cases/{case.json()['id']}/decisions", headers=bearer(moderator), json={
        "action": action, "policy": policy, "facts": f"The video breaks the {policy} policy.", **extra})
    assert d.status_code == 201, d.text
    return {"item": item, "decision": d.json()}


def test_export_after_decisions_under_every_policy(client, world, settings, tmp_path: Path):
    service, moderator = world.key("service"), world.key("moderator")
    policies = all_policies()
    made: dict[str, dict[str, Any]] = {}
    for code in policies:
        # GPPPA restrictions take features away from an account; the rest remove content.
        action = "restrict_feature" if code == "gpppa_restrictions" else "remove"
        extra = {"feature": "gifts"} if action == "restrict_feature" else {}
        made[code] = _decide(client, world, moderator, service, code, action, **extra)
    made["misinformation+law"] = _decide(client, world, moderator, service, "misinformation", "fyp_exclude",
                                         legal_ground="UU 1/2024 Pasal 28 ayat (3)")
    made["hate+law"] = _decide(client, world, moderator, service, "hate_speech_sara", "remove",
                               legal_ground="UU 1/2024 Pasal 28 ayat (2)")
    # A content removal with an account suspension: two statements, both worldwide.
    made["misleading+suspend"] = _decide(client, world, moderator, service, "misleading_behaviour", "remove",
                                         account_action="suspend", suspend_days=7)

    today = utcnow().astimezone(WIB).date()
    period = ((today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat())
    out = tmp_path / "sor"
    result = _run("export-statements", "--from", period[0], "--to", period[1], "--out", str(out),
                  "--database-url", settings.database_url, "--json")
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)

    indonesia_only = {"gpppa_restrictions", "campaign_rules", "misinformation+law", "hate+law"}
    expected = {name for name in made if name not in indonesia_only}
    assert manifest["rejected"] == []
    # One statement per worldwide decision, and the suspension's own.
    assert manifest["exported"] == len(expected) + 1
    assert manifest["left_out"] == {
        "total": 4,
        "reason": "the restriction applies only outside the EEA, so the DSA Transparency Database does not "
                  "cover it",
        "by_ground": {"legal_ground": 2, "policy": 2},
        "by_policy": {"campaign_rules": 1, "gpppa_restrictions": 1, "hate_speech_sara": 1, "misinformation": 1},
        "by_territory": {"ID": 4},
    }
    assert json.loads((out / "manifest.json").read_text())["left_out"] == manifest["left_out"]

    files = sorted(out.glob("statements-*.json"))
    check = _run("validate-statements", *map(str, files), "--json")
    assert check.exit_code == 0, check.output
    statements = [st for f in files for st in json.loads(f.read_text())["statements"]]
    enums = dsa_enums()
    for st in statements:
        assert st["category"] in enums.categories
        assert set(st.get("category_specification", [])) <= set(enums.keywords)
        assert st["territorial_scope"] == list(enums.eea_countries)
        assert "applies_in" not in st
    puids = {st["puid"] for st in statements}
    for name, row in made.items():
        assert (row["decision"]["statement_id"] in puids) == (name in expected), name
    by_puid = {st["puid"]: st for st in statements}
    ads = by_puid[made["political_ads"]["decision"]["statement_id"]]
    assert ads["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert ads["category_specification"] == ["KEYWORD_OTHER"] and ads["category_specification_other"]

    # People read the same counts and reason on the command line.
    again = _run("export-statements", "--from", period[0], "--to", period[1], "--out", str(tmp_path / "again"),
                 "--database-url", settings.database_url)
    assert again.exit_code == 0, again.output
    line = " ".join(again.stdout.split())
    assert f"{len(expected) + 1} statements in 1 files" in line
    assert "4 left out as applying only outside the EEA (ID 4): 2 under national law, 2 by the policy's " \
           "territory" in line


def test_statements_stored_before_the_api_changed_are_exported_as_it_now_requires(client, world, db, settings,
                                                                                   tmp_path: Path):
    from salingjaga.moderation.models import Statement

    service, moderator = world.key("service"), world.key("moderator")
    ads = _decide(client, world, moderator, service, "political_ads", "remove")["decision"]
    gpppa = _decide(client, world, moderator, service, "gpppa_restrictions", "remove")["decision"]
    # Rewrite them as the old code stored them: a category the API removed, every EEA
    # country even for the Indonesia-only restriction, no applies_in.
    with db.session() as s:
        for decision in (ads, gpppa):
            st = s.get(Statement, decision["statement_id"])
            assert st is not None
            old = {k: v for k, v in st.data.items() if k != "applies_in"}
            old.update(category="STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
                       territorial_scope=list(dsa_enums().eea_countries))
            st.data = old
        s.commit()

    today = utcnow().astimezone(WIB).date().isoformat()
    out = tmp_path / "sor"
    result = _run("export-statements", "--from", today, "--to", today, "--out", str(out),
                  "--database-url", settings.database_url, "--json")
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert (manifest["exported"], manifest["reclassified"], manifest["rejected"]) == (1, 1, [])
    assert manifest["left_out"]["by_policy"] == {"gpppa_restrictions": 1}
    [batch] = sorted(out.glob("statements-*.json"))
    [st] = json.loads(batch.read_text())["statements"]
    assert st["puid"] == ads["statement_id"]
    assert st["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert _run("validate-statements", str(batch)).exit_code == 0
