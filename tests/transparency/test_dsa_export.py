"""Statements of reasons exported as DSA batches pass the validator; each rule broken on
purpose is rejected by it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from salingjaga.cli import app as cli_app
from salingjaga.transparency.dsa import batch_errors, write_batches
from tests.transparency.history import PERIOD, build


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli_app, ["transparency", *args])


def _valid_statement(puid: str = "sor_abc-1") -> dict[str, Any]:
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": "UU 7/2017 Pasal 280 ayat (1) huruf c",
        "illegal_content_explanation": "The video tells voters they can vote over WhatsApp.",
        "content_type": ["CONTENT_TYPE_VIDEO"],
        "category": "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "category_specification": ["KEYWORD_MISINFORMATION_DISINFORMATION"],
        "territorial_scope": ["DE", "FR"],
        "content_date": "2024-02-10",
        "application_date": "2024-02-11",
        "decision_facts": "The video tells voters they can vote over WhatsApp.",
        "source_type": "SOURCE_TRUSTED_FLAGGER",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": puid,
    }


def test_export_of_a_period_passes_the_validator(client, world, db, settings, tmp_path: Path):
    history = build(client, world, db)
    out = tmp_path / "sor"
    result = _run("export-statements", "--from", PERIOD[0], "--to", PERIOD[1], "--out", str(out),
                  "--database-url", settings.database_url, "--json")
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    # Ten restrictive decisions in the period have statements; P1's facts hold an e-mail
    # address and a phone number, so its statement is left out and listed.
    assert manifest["exported"] == 9
    assert len(manifest["rejected"]) == 1
    # Every decision in this history is under the worldwide terms of service.
    assert manifest["left_out"]["total"] == 0
    assert manifest["format"]["enumerations_commit"].startswith("69e80a0")
    rejected = manifest["rejected"][0]
    assert any("decision_facts contains personal data (EMAIL, PHONE)" in e for e in rejected["errors"])
    assert "budi" not in json.dumps(manifest)
    files = sorted(out.glob("statements-*.json"))
    assert [f.name for f in files] == ["statements-00001.json"]
    check = _run("validate-statements", *map(str, files))
    assert check.exit_code == 0, check.output
    batch = json.loads(files[0].read_text())
    puids = [s["puid"] for s in batch["statements"]]
    assert len(puids) == len(set(puids)) == 9
    # A4 (17:00 UTC on the 14th = the 15th in WIB) and X1 (20 Feb) are outside the period.
    with db.session() as s:
        from salingjaga.moderation.models import Decision

        outside = {s.get(Decision, history.decisions[n]).statement_id for n in ("A4", "X1")}
    assert not outside & set(puids)


def test_batches_hold_at_most_100_and_puids_stay_unique(tmp_path: Path):
    pages = [[_valid_statement(f"p{i}") for i in range(150)], [_valid_statement("p3"), _valid_statement("q1")]]
    manifest = write_batches(pages, tmp_path)
    assert [f["statements"] for f in manifest["files"]] == [100, 51]
    assert manifest["exported"] == 151
    assert manifest["rejected"] == [{"puid": "p3", "errors": ["puid already exported in this period"]}]
    for f in manifest["files"]:
        assert batch_errors(json.loads((tmp_path / f["file"]).read_text())) == []


BROKEN: list[tuple[str, Any, str]] = [
    ("missing required field", lambda s: s.pop("decision_ground"), "decision_ground is required"),
    ("enumeration", lambda s: s.update(category="STATEMENT_CATEGORY_GOSSIP"), "category: "),
    ("visibility enumeration", lambda s: s.update(decision_visibility=["HIDDEN"]), "decision_visibility: "),
    ("no restriction at all", lambda s: s.pop("decision_visibility"), "at least one of decision_visibility"),
    ("conditional legal ground", lambda s: s.pop("illegal_content_legal_ground"),
     "illegal_content_legal_ground is required"),
    ("conditional content type other", lambda s: s.update(content_type=["CONTENT_TYPE_OTHER"]),
     "content_type_other is required"),
    ("conditional visibility other", lambda s: s.update(decision_visibility=["DECISION_VISIBILITY_OTHER"]),
     "decision_visibility_other is required"),
    ("puid characters", lambda s: s.update(puid="sor 1/2"), "puid may hold only"),
    ("puid missing", lambda s: s.pop("puid"), "puid is required"),
    ("date format", lambda s: s.update(content_date="10/02/2024"), "content_date must be a date"),
    ("date too late", lambda s: s.update(application_date="2039-01-01"), "on or before 2038-01-01"),
    ("unknown field", lambda s: s.update(reporter="Agus"), "reporter is not a statement field"),
    ("too long", lambda s: s.update(decision_facts="x" * 5001), "decision_facts is longer than 5000"),
    ("email in facts", lambda s: s.update(decision_facts="Hubungi agus.pengawas@gmail.com"),
     "decision_facts contains personal data (EMAIL)"),
    ("phone in explanation", lambda s: s.update(illegal_content_explanation="Telepon 081234567890"),
     "illegal_content_explanation contains personal data (PHONE)"),
    ("NIK in facts", lambda s: s.update(decision_facts="NIK pelapor 3273012345670001"),
     "decision_facts contains personal data (NIK)"),
    ("source identity on voluntary", lambda s: s.update(source_type="SOURCE_VOLUNTARY", source_identity="Bawaslu"),
     "source_identity must be omitted"),
    ("reference url", lambda s: s.update(decision_ground_reference_url="javascript:alert(1)"),
     "decision_ground_reference_url must be an http(s) URL"),
    # The official API's rules (digital-services-act/transparency-database @ 69e80a0).
    ("removed category", lambda s: s.update(category="STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"),
     "category: 'STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE' is not a valid value (removed"),
    ("removed keyword", lambda s: s.update(category_specification=["KEYWORD_ONLINE_BULLYING_INTIMIDATION"]),
     "category_specification: 'KEYWORD_ONLINE_BULLYING_INTIMIDATION' is not a valid value"),
    ("language not in the ISO list", lambda s: s.update(content_language="QQ"), "content_language: 'QQ'"),
    ("language in lower case", lambda s: s.update(content_language="id"), "content_language: 'id'"),
    ("territory outside the EEA", lambda s: s.update(territorial_scope=["DE", "ID"]), "territorial_scope: 'ID'"),
    ("territory missing", lambda s: s.pop("territorial_scope"), "territorial_scope is required"),
    ("territory not a list", lambda s: s.update(territorial_scope="DE"), "territorial_scope must be a list"),
    ("puid trailing newline", lambda s: s.update(puid="sor_1\n"), "puid may hold only"),
    ("puid too long", lambda s: s.update(puid="p" * 501), "puid is longer than 500"),
    ("content before 2000", lambda s: s.update(content_date="1999-12-31"),
     "content_date must be on or after 2000-01-01"),
    ("applied before 2020", lambda s: s.update(application_date="2019-12-31"),
     "application_date must be on or after 2020-01-01"),
    ("end date too late", lambda s: s.update(end_date_account_restriction="2038-01-02"),
     "end_date_account_restriction must be on or before 2038-01-01"),
    ("date without leading zero", lambda s: s.update(content_date="2024-2-10"), "content_date must be a date"),
    ("monetary other", lambda s: s.update(decision_monetary="DECISION_MONETARY_OTHER"),
     "decision_monetary_other is required"),
    ("incompatible needs its ground", lambda s: s.update(decision_ground="DECISION_GROUND_INCOMPATIBLE_CONTENT"),
     "incompatible_content_ground is required"),
    ("incompatible illegal value", lambda s: s.update(
        decision_ground="DECISION_GROUND_INCOMPATIBLE_CONTENT", incompatible_content_ground="ToS 3.1",
        incompatible_content_explanation="Spam.", incompatible_content_illegal="Maybe"),
     "incompatible_content_illegal: 'Maybe'"),
    ("automated decision old style", lambda s: s.update(automated_decision="No"), "automated_decision: 'No'"),
    ("automated detection", lambda s: s.update(automated_detection=True), "automated_detection: True"),
    ("source type", lambda s: s.update(source_type="SOURCE_OTHER"), "source_type: 'SOURCE_OTHER'"),
    ("source identity too long", lambda s: s.update(source_identity="x" * 501), "source_identity is longer than 500"),
    ("keyword other text too long", lambda s: s.update(category_specification=["KEYWORD_OTHER"],
                                                       category_specification_other="y" * 501),
     "category_specification_other is longer than 500"),
    ("visibility not a list", lambda s: s.update(decision_visibility="DECISION_VISIBILITY_CONTENT_REMOVED"),
     "decision_visibility must be a list"),
    ("account decision value", lambda s: s.update(decision_account="DECISION_ACCOUNT_BANNED"),
     "decision_account: 'DECISION_ACCOUNT_BANNED'"),
    ("content id", lambda s: s.update(content_id={"EAN-13": "123"}), "content_id must be"),
]


ACCEPTED: list[tuple[str, Any]] = [
    ("end date before the application date", lambda s: s.update(end_date_visibility_restriction="2024-01-01")),
    ("only an account decision", lambda s: (s.pop("decision_visibility"),
                                            s.update(decision_account="DECISION_ACCOUNT_SUSPENDED"))),
    ("visibility other with its text", lambda s: s.update(decision_visibility=["DECISION_VISIBILITY_OTHER"],
                                                          decision_visibility_other="Geo-blocked")),
    ("content id EAN-13", lambda s: s.update(content_id={"EAN-13": "0123456789123"})),
    ("fields the API returns", lambda s: s.update(platform_name="Platform 1", permalink="https://x.example/1")),
    ("keyword other with its text", lambda s: s.update(category_specification=["KEYWORD_OTHER"],
                                                       category_specification_other="Quiet-period campaigning")),
    ("every EEA country", lambda s: s.update(territorial_scope=[
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS", "IT",
        "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"])),
]


@pytest.mark.parametrize(("name", "change"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_validator_accepts_what_the_api_accepts(tmp_path: Path, name, change):
    st = _valid_statement()
    change(st)
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"statements": [st]}))
    result = _run("validate-statements", str(path))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("name", "breaks", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_validator_rejects_each_rule_broken_on_purpose(tmp_path: Path, name, breaks, message):
    good = _valid_statement()
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"statements": [good]}))
    assert _run("validate-statements", str(path)).exit_code == 0
    bad = copy.deepcopy(good)
    breaks(bad)
    path.write_text(json.dumps({"statements": [bad]}))
    result = _run("validate-statements", str(path), "--json")
    assert result.exit_code == 1, name
    errors = json.loads(result.stdout)["errors"][str(path)]
    assert any(message in e for e in errors), errors


@pytest.mark.parametrize(("body", "message"), [
    ({"statements": [_valid_statement(f"p{i}") for i in range(101)]}, "at most 100 statements"),
    ({"statements": []}, "at least one statement"),
    ({"statements": [_valid_statement("same"), _valid_statement("same")]}, "puid 'same' repeats"),
    ([_valid_statement()], "a batch is an object"),
    ({"statements": [_valid_statement()], "extra": 1}, "only the key 'statements'"),
])
def test_validator_rejects_broken_batches(tmp_path: Path, body, message):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(body))
    result = _run("validate-statements", str(path))
    assert result.exit_code == 1
    assert message in result.stdout


def test_validator_reports_unreadable_files(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    result = _run("validate-statements", str(path))
    assert result.exit_code == 1 and "cannot read broken.json" in result.stdout
