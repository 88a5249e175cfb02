"""Pure decision logic: priority, deadlines, the repeat-offender ladder, statements."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from salingjaga.moderation.ladder import escalate
from salingjaga.moderation.priority import compute_deadline, compute_priority
from salingjaga.moderation.statements import StatementInput, build_statement, validate_statement
from salingjaga.policies.service import all_policies


def test_trusted_flagger_outranks_any_user_report():
    weakest_tf = compute_priority("trusted_flagger", 1, views=0)
    strongest_user = compute_priority("user_report", 5, views=10**9, shares=10**8, tight=True, boost=50)
    assert weakest_tf > strongest_user


def test_severity_reach_and_calendar_raise_priority_within_a_source():
    base = compute_priority("partner", 2)
    assert compute_priority("partner", 4) > base
    assert compute_priority("partner", 2, views=1_000_000) > base
    assert compute_priority("partner", 2, tight=True) > base
    with pytest.raises(ValueError):
        compute_priority("rumour", 3)


def test_deadline_tightens_in_quiet_period_and_voting_day():
    t0 = datetime(2024, 2, 1, 8, tzinfo=UTC)
    assert compute_deadline(t0, False, 24, 2) == datetime(2024, 2, 2, 8, tzinfo=UTC)
    assert compute_deadline(t0, True, 24, 2) == datetime(2024, 2, 1, 10, tzinfo=UTC)


def test_calendar_knows_the_quiet_period_and_voting_day():
    from salingjaga.regions.elections import is_tight_day

    assert is_tight_day(date(2024, 2, 12), "32.73")
    assert is_tight_day(date(2024, 2, 14), "35")
    assert not is_tight_day(date(2024, 1, 20), "32.73")


def test_repeat_offenders_escalate():
    assert escalate(0, "strike").action == "strike"
    assert escalate(1, "strike").action == "restrict_feature"
    third = escalate(2, "strike")
    assert third.action == "suspend" and third.suspend_days == 7 and third.escalated
    assert escalate(3, "strike").suspend_days == 30
    assert escalate(4, "strike").action == "ban"
    # A harsher request than the ladder's is kept as asked.
    assert escalate(0, "ban").action == "ban" and not escalate(0, "ban").escalated


def _input(**kw):
    base = dict(puid="sor_abc123", action="remove", policy_name="Misinformation",
                dsa_category="STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
                dsa_keywords=("KEYWORD_MISINFORMATION_DISINFORMATION",), facts="False voting claim.",
                source="trusted_flagger", content_kind="video", content_date=date(2024, 2, 1),
                application_date=date(2024, 2, 2))
    base.update(kw)
    return StatementInput(**base)


@pytest.mark.parametrize("action,field,value", [
    ("remove", "decision_visibility", ["DECISION_VISIBILITY_CONTENT_REMOVED"]),
    ("fyp_exclude", "decision_visibility", ["DECISION_VISIBILITY_CONTENT_DEMOTED"]),
    ("label_ai_generated", "decision_visibility", ["DECISION_VISIBILITY_CONTENT_LABELLED"]),
    ("age_restrict", "decision_visibility", ["DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED"]),
    ("restrict_feature", "decision_provision", "DECISION_PROVISION_PARTIAL_SUSPENSION"),
    ("suspend", "decision_account", "DECISION_ACCOUNT_SUSPENDED"),
    ("ban", "decision_account", "DECISION_ACCOUNT_TERMINATED"),
])
def test_every_restriction_builds_a_valid_statement(action, field, value):
    st = build_statement(_input(action=action))
    assert st[field] == value
    assert validate_statement(st) == []


def test_statement_grounds_and_sources():
    illegal = build_statement(_input(legal_ground="UU 7/2017 Pasal 280 ayat (1) huruf c"))
    assert illegal["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert "incompatible_content_ground" not in illegal
    tos = build_statement(_input(source="proactive", automated_detection=True,
                                 automated_decision="AUTOMATED_DECISION_FULLY"))
    assert tos["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert tos["source_type"] == "SOURCE_VOLUNTARY" and tos["automated_detection"] == "Yes"
    assert build_statement(_input(source="user_report"))["source_type"] == "SOURCE_ARTICLE_16"
    for not_a_restriction in ("no_violation", "strike", "label_election_notice"):
        with pytest.raises(ValueError):
            build_statement(_input(action=not_a_restriction))


def test_validator_names_each_broken_rule():
    good = build_statement(_input())
    assert validate_statement(good) == []
    cases = {
        "decision_ground is required": {k: v for k, v in good.items() if k != "decision_ground"},
        "at least one of decision_visibility": {k: v for k, v in good.items() if k != "decision_visibility"},
        "decision_visibility_other is required": {**good, "decision_visibility": ["DECISION_VISIBILITY_OTHER"]},
        "illegal_content_legal_ground is required": {**good, "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"},
        "category: 'STATEMENT_CATEGORY_ELECTIONS'": {**good, "category": "STATEMENT_CATEGORY_ELECTIONS"},
        "category_specification: 'KEYWORD_FOREIGN_INFORMATION_MANIPULATION'": {
            **good, "category_specification": ["KEYWORD_FOREIGN_INFORMATION_MANIPULATION"]},
        "automated_detection": {**good, "automated_detection": "Maybe"},
        "application_date must be a date": {**good, "application_date": "2024/02/02"},
        "end_date_visibility_restriction must be on or before 2038-01-01": {
            **good, "end_date_visibility_restriction": "2039-01-01"},
        "content_language: 'XX' is not one of": {**good, "content_language": "XX"},
        "content_language: 'id' is not one of": {**good, "content_language": "id"},
        "category: 'STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE' is not a valid value (removed from the DSA "
        "Transparency Database on 2025-02-26)": {**good, "category": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"},
        "category_specification: 'KEYWORD_ONLINE_BULLYING_INTIMIDATION' is not a valid value (removed": {
            **good, "category_specification": ["KEYWORD_ONLINE_BULLYING_INTIMIDATION"]},
        "puid is longer than 500": {**good, "puid": "a" * 501},
        "puid may hold only": {**good, "puid": "has space"},
        "puid may hold only letters": {**good, "puid": "trailing-newline\n"},
        "territorial_scope: 'ID'": {**good, "territorial_scope": ["ID"]},
        "content_type_other is required": {**good, "content_type": ["CONTENT_TYPE_OTHER"]},
        "decision_facts is longer than 5000": {**good, "decision_facts": "x" * 5001},
        "reporter is not a statement field": {**good, "reporter": "Bawaslu"},
    }
    for expected, data in cases.items():
        errors = validate_statement(data)
        assert any(expected in e for e in errors), (expected, errors)


def test_end_dates_may_lie_before_the_application_date():
    # The API sets no order between them: a restriction lifted on appeal may end before a
    # statement applied late says it began.
    st = build_statement(_input(end_date=date(2024, 1, 15)))
    assert st["end_date_visibility_restriction"] == "2024-01-15" < st["application_date"]
    assert validate_statement(st) == []


@pytest.mark.parametrize(("tag", "expected"), [
    ("id", "ID"), ("id-ID", "ID"), ("EN", "EN"), ("jv", "JV"), ("und", None), ("xx", None), ("", None),
    (None, None),
])
def test_content_language_is_an_api_code_or_left_out(tag, expected):
    st = build_statement(_input(content_language=tag))
    assert st.get("content_language") == expected
    assert validate_statement(st) == []


def test_every_shipped_policy_maps_to_valid_dsa_values():
    for policy in all_policies().values():
        st = build_statement(_input(policy_name=policy.name["en"], dsa_category=policy.dsa_category,
                                    dsa_keywords=policy.dsa_keywords, dsa_specification=policy.dsa_specification))
        assert validate_statement(st) == [], policy.code
        assert st.get("category_specification") == list(policy.dsa_keywords), policy.code
        if "KEYWORD_OTHER" in policy.dsa_keywords:
            assert st["category_specification_other"] == (policy.dsa_specification or policy.name["en"])


def test_where_a_restriction_applies_is_named_and_eea_codes_only_where_it_holds():
    from salingjaga.policies.service import get_territory

    worldwide = build_statement(_input())
    assert worldwide["applies_in"]["code"] == "worldwide"
    assert len(worldwide["territorial_scope"]) == 30 and "ID" not in worldwide["territorial_scope"]
    indonesia = build_statement(_input(applies_in=get_territory("ID")))
    assert indonesia["applies_in"] == {"code": "ID", "name": {"id": "Indonesia", "en": "Indonesia"}, "eea": False}
    assert "territorial_scope" not in indonesia
    assert validate_statement(indonesia) == []
