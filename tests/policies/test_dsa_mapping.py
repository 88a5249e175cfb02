"""The policy -> DSA mapping uses only current constants of the official API, and says where
each policy's restrictions apply."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from salingjaga.policies.dsa import dsa_enums, raw_enums
from salingjaga.policies.service import all_policies, dsa_mapping_errors, get_policy, restriction_territory

# The shared conformance references sit beside the worktrees (../shared/conformance).
OFFICIAL = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "dsa" / "official-enums.json"


def test_shipped_enumerations_are_the_official_ones():
    if not OFFICIAL.exists():
        pytest.skip(f"no conformance copy at {OFFICIAL} to compare with")
    shipped = {k: v for k, v in raw_enums().items() if not k.startswith("_")}
    assert shipped == json.loads(OFFICIAL.read_text("utf-8"))


def test_shipped_enumerations_name_their_source():
    provenance = raw_enums()["_provenance"]
    assert provenance["source"].endswith("digital-services-act/transparency-database")
    assert provenance["commit"].startswith("69e80a0")
    assert provenance["licence"] == "EUPL-1.2"


def test_values_removed_on_2025_02_26_are_not_current():
    enums = dsa_enums()
    removed = {"STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE", "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
               "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT", "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
               "KEYWORD_ONLINE_BULLYING_INTIMIDATION"}
    assert set(enums.removed) == removed
    assert not removed & (set(enums.categories) | set(enums.keywords))
    assert len(enums.eea_countries) == 30 and "ID" not in enums.eea_countries
    assert "ID" in enums.languages and "XX" not in enums.languages


@pytest.mark.parametrize("code", list(all_policies()))
def test_every_policy_maps_to_current_dsa_values(code):
    assert dsa_mapping_errors(get_policy(code)) == []


@pytest.mark.parametrize(("change", "message"), [
    ({"dsa_category": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"},
     "dsa_category STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE (removed from the DSA Transparency Database "
     "on 2025-02-26) is not a current DSA category"),
    ({"dsa_category": "STATEMENT_CATEGORY_ELECTIONS"}, "STATEMENT_CATEGORY_ELECTIONS is not a current"),
    ({"dsa_keywords": ("KEYWORD_ONLINE_BULLYING_INTIMIDATION",)}, "KEYWORD_ONLINE_BULLYING_INTIMIDATION (removed"),
    ({"dsa_keywords": ("KEYWORD_FOREIGN_INFORMATION_MANIPULATION",)}, "is not a current DSA keyword"),
    ({"dsa_specification": "x" * 501}, "dsa_specification is longer than 500"),
    ({"territory": "EU"}, "territory 'EU' is not defined"),
])
def test_the_mapping_check_catches_what_the_api_refuses(change, message):
    bad = dataclasses.replace(get_policy("political_ads"), **change)
    errors = dsa_mapping_errors(bad)
    assert any(message in e for e in errors), errors


def test_gpppa_and_political_ads_use_current_election_or_terms_categories_with_text():
    allowed = {"STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
               "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"}
    for code in ("gpppa_restrictions", "political_ads"):
        policy = get_policy(code)
        assert policy.dsa_category in allowed
        assert policy.dsa_keywords == ("KEYWORD_OTHER",) and policy.dsa_specification


def test_where_restrictions_apply():
    for code in ("gpppa_restrictions", "campaign_rules"):
        ruling = restriction_territory(code, None)
        assert (ruling.territory.code, ruling.territory.eea, ruling.by) == ("ID", False, "policy")
    for code in ("misinformation", "political_ads", "unoriginal_content", "misleading_behaviour"):
        ruling = restriction_territory(code, None)
        assert (ruling.territory.code, ruling.territory.eea) == ("worldwide", True)
    # A decision under Indonesian law holds in Indonesia, whatever the policy's reach.
    ruling = restriction_territory("misinformation", "UU 1/2024 Pasal 28 ayat (3)")
    assert (ruling.territory.code, ruling.territory.eea, ruling.by) == ("ID", False, "legal_ground")
    assert restriction_territory("misinformation", "  ").territory.code == "worldwide"


def test_policy_api_shows_territory_and_specification(client):
    gpppa = client.get("/api/v1/policies/gpppa_restrictions").json()
    assert gpppa["territory"] == "ID"
    assert gpppa["dsa_category"] == "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
    assert gpppa["dsa_specification"]
    listed = {p["code"]: p for p in client.get("/api/v1/policies").json()}
    assert {p["dsa_category"] for p in listed.values()} <= set(dsa_enums().categories)
    assert listed["misinformation"]["territory"] == "worldwide"
