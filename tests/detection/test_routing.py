"""Routing follows the data file; shadow rules record without acting; automation never
restricts on inexact evidence."""

from __future__ import annotations

import pytest

from salingjaga.detection.base import SignalResult
from salingjaga.detection.routing import load_config, parse_config, route


def _hash(action: str, exact: bool = True) -> SignalResult:
    return SignalResult("media_hash_match", "misinformation", 0.9, "matches bank", key="1",
                        exact=exact, data={"bank_action": action})


def test_exact_match_to_removed_media_removes_automatically() -> None:
    d = route([_hash("remove")])
    assert [(a.action, a.shadow) for a in d.actions] == [("remove", False)]
    assert d.cases == [] and d.route == "automated"


def test_match_to_review_bank_goes_to_the_queue() -> None:
    d = route([_hash("review")])
    assert d.actions == [] and [c.policy for c in d.cases] == ["misinformation"]
    assert d.cases[0].severity_boost == 1


def test_inexact_evidence_never_removes() -> None:
    assert route([_hash("remove", exact=False)]).route == "none"


def test_claim_awaiting_factcheck_is_labelled_and_queued() -> None:
    sig = SignalResult("claim_match", "misinformation", 0.9, "matches fact-check", key="fc1",
                       data={"verdict": "unverified"})
    d = route([sig])
    assert {a.action for a in d.actions} == {"label_unverified", "fyp_exclude"}
    assert d.route == "label_and_queue"
    weak = SignalResult("claim_match", "misinformation", 0.5, "weak", key="fc1", data={"verdict": "unverified"})
    assert route([weak]).route == "none"
    false = SignalResult("claim_match", "misinformation", 0.9, "x", key="fc2", data={"verdict": "false"})
    assert route([false]).route == "queue"


def test_ai_credentials_label_unless_creator_labelled() -> None:
    sig = SignalResult("c2pa_ai", "synthetic_media", 1.0, "x", exact=True, data={"creator_labelled": False})
    assert [a.action for a in route([sig]).actions] == ["label_ai_generated"]
    sig.data["creator_labelled"] = True
    assert route([sig]).actions == []


def test_shadow_rule_records_but_does_not_act() -> None:
    sig = SignalResult("near_duplicate", "unoriginal_content", 0.95, "repost", key="repost")
    d = route([sig])
    assert [(a.action, a.shadow) for a in d.actions] == [("fyp_exclude", True)]
    assert d.route == "none"


def test_any_rule_can_be_put_in_shadow_from_the_file() -> None:
    cfg = parse_config({"rules": [{"name": "hash", "signals": ["media_hash_match"], "min_score": 0,
                                   "where": {"bank_action": "remove"}, "require_exact": True,
                                   "actions": ["remove"], "shadow": True}]})
    d = route([_hash("remove")], cfg)
    assert [(a.action, a.shadow) for a in d.actions] == [("remove", True)]
    assert d.route == "none"


def test_unsafe_rules_are_refused_at_load() -> None:
    with pytest.raises(ValueError, match="require_exact"):
        parse_config({"rules": [{"name": "bad", "signals": ["classifier"], "actions": ["remove"]}]})
    with pytest.raises(ValueError, match="unknown actions"):
        parse_config({"rules": [{"name": "bad", "signals": ["classifier"], "actions": ["ban"]}]})


def test_shipped_file_loads() -> None:
    assert any(r.name == "hash_match_to_removed_media" for r in load_config().rules)
