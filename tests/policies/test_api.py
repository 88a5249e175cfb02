"""The policy taxonomy through HTTP."""

REQUIRED = {
    "misinformation", "civic_election_integrity", "synthetic_media", "hate_speech_sara",
    "misleading_behaviour", "unoriginal_content", "fraud_scam_spam", "covert_influence",
    "gpppa_restrictions", "political_ads", "campaign_rules",
}


def test_policies_cover_the_taxonomy_with_dsa_mapping(client):
    policies = {p["code"]: p for p in client.get("/api/v1/policies").json()}
    assert set(policies) >= REQUIRED
    for p in policies.values():
        assert p["dsa_category"].startswith("STATEMENT_CATEGORY_")
        assert p["dsa_keywords"] and all(k.startswith("KEYWORD_") for k in p["dsa_keywords"])
        assert set(p["name"]) == {"id", "en"}
        assert 1 <= p["severity"] <= 5
    misinfo = policies["misinformation"]
    assert misinfo["dsa_category"] == "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
    assert "KEYWORD_MISINFORMATION_DISINFORMATION" in misinfo["dsa_keywords"]
    assert any("Pasal 280" in g for g in policies["hate_speech_sara"]["legal_grounds"])


def test_unknown_policy_is_404(client):
    assert client.get("/api/v1/policies/nope").status_code == 404
