"""Signals, routing rules and permissions said in plain words, in both languages: what the
case page, the rules page and the roles page show instead of the codes the data holds."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from salingjaga.detection.base import SignalResult
from salingjaga.detection.behaviour.scam import match_patterns
from salingjaga.detection.detectors.claim_match import claim_signal
from salingjaga.detection.detectors.media_hash import media_error
from salingjaga.detection.signals import ALL_SIGNAL_TYPES
from salingjaga.web import display
from salingjaga.web.i18n import translations
from tests.web.crawl import english_sentence, internal_codes


def f(lang: str) -> dict[str, Any]:
    return display.filters(translations(lang).gettext, lang)


def signals() -> list[dict[str, Any]]:
    """One signal of every type, as the detectors store them (built by the detectors'
    own functions where they have one)."""
    made: list[SignalResult] = [
        claim_signal("fc_1", 0.91, "Coblos bisa lewat WhatsApp", "false"),
        claim_signal("fc_2", 0.8, "Surat suara sudah dicoblos", "", retroactive=True),
        media_error(0, "truncated PNG"),
        SignalResult("classifier", "misinformation", 0.7, "text classifier: election misinformation, 0.70",
                     data={"label": "election_misinformation"}),
        SignalResult("on_screen_text", "misinformation", 0.0, "text read in media 0", key="m0",
                     data={"media_index": 0, "matched_words": ["coblos", "whatsapp"]}),
        SignalResult("ocr_unavailable", "misinformation", 0.0, "OCR unavailable",
                     data={"media_index": [0, 2], "reason": "tesseract missing"}),
        SignalResult("md5_match", "misinformation", 1.0, "identical file",
                     data={"media_index": 1, "bank_action": "remove", "label": "Hoaks surat suara"}),
        SignalResult("media_hash_match", "misinformation", 0.9, "PDQ distance 6/31",
                     data={"media_index": 0, "bank_action": "review", "orientation": "flip-y", "label": ""}),
        SignalResult("creator_ai_label", "synthetic_media", 1.0, "creator labelled", data={}),
        SignalResult("c2pa_ai", "synthetic_media", 1.0, "credentials", data={"generator": "Firefly"}),
        SignalResult("c2pa_ai_unverified", "synthetic_media", 0.5, "claim", data={"generator": ""}),
        SignalResult("unlabelled_ai_public_figure", "synthetic_media", 0.9, "figures",
                     data={"figures": ["Anies Baswedan"], "media_index": 0}),
        SignalResult("near_duplicate", "unoriginal_content", 0.85, "near-identical text",
                     data={"earlier": ["cnt_a", "cnt_b"], "via": "text"}),
        SignalResult("coordinated_burst", "covert_influence", 0.7, "burst",
                     data={"accounts": ["a", "b", "c", "d", "e"], "first": "2024-11-26T01:00:00",
                           "last": "2024-11-26T01:12:00"}),
    ]
    for pattern in match_patterns("Transfer Rp50.000 biaya admin untuk klaim hadiah giveaway sekarang"):
        made.append(SignalResult("scam_pattern", "fraud_scam_spam", pattern.score, pattern.explanation,
                                 data={"pattern": pattern.name}))
    made.append(SignalResult("fundraising", "fraud_scam_spam", 0.8, "campaign",
                             data={"pattern": "campaign_fundraising"}))
    return [s.as_dict() for s in made]


def test_every_signal_type_is_explained_in_both_languages_without_codes() -> None:
    made = signals()
    assert {s["type"] for s in made} == ALL_SIGNAL_TYPES
    general = f("en")["signal_explained"]({"type": "something_new", "data": {}})[0]
    for s in made:
        said_id, quoted = f("id")["signal_explained"](s)
        said_en, quoted_en = f("en")["signal_explained"](s)
        assert said_en != general, s["type"]  # every known type has its own sentence
        assert said_id != said_en and quoted == quoted_en
        for said in (said_id, said_en):
            assert internal_codes(said) == [], (s["type"], said)
        assert not english_sentence(said_id), said_id


def test_signal_sentences_carry_the_detectors_figures() -> None:
    by_type: dict[str, dict[str, Any]] = {}
    for s in signals():
        by_type.setdefault(s["type"], s)
    en, id_ = f("en")["signal_explained"], f("id")["signal_explained"]
    said, quoted = en(by_type["claim_match"])
    assert "Their verdict: False." in said and quoted == "Coblos bisa lewat WhatsApp"
    assert id_(by_type["claim_match"])[0].endswith("Putusan mereka: Salah.")
    assert en(by_type["coordinated_burst"])[0] == "5 accounts posted nearly the same content within 12 minutes."
    assert "media 1, 3" in en(by_type["ocr_unavailable"])[0]
    said, quoted = en(by_type["md5_match"])
    assert said.startswith("Media 2 is an exact copy") and "removed before" in said and quoted == "Hoaks surat suara"
    assert "KTP" not in en(by_type["scam_pattern"])[0] and "hadiah" in id_(by_type["scam_pattern"])[0]


def routing_rules() -> tuple[float, list[dict[str, Any]]]:
    parsed = tomllib.loads(resources.files("salingjaga.detection").joinpath("routing.toml").read_text("utf-8"))
    return float(parsed["defaults"]["min_score"]), parsed["rules"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_routing_rule_reads_as_plain_words(lang: str) -> None:
    x = f(lang)
    _, rules = routing_rules()
    assert len(rules) >= 10
    for rule in rules:
        parts = x["route_when"](rule) + x["route_then"](rule)
        for part in parts:
            assert internal_codes(part) == [], (rule["name"], part)
            assert rule["name"] not in part
            if lang == "id":
                assert not english_sentence(part), part


def test_a_routing_rule_says_its_threshold_in_the_page_language() -> None:
    _, rules = routing_rules()
    rule = next(r for r in rules if r["name"] == "claim_matches_false_factcheck")
    when_en, then_en = f("en")["route_when"](rule), f("en")["route_then"](rule)
    assert when_en[:2] == ["Signal: Matches a fact-checked claim", "with a score of 0.75 or more"]
    assert "False" in when_en[2] and when_en[2].count("False") == 1  # "false" and "salah" read once
    assert then_en == ["Goes to the review queue, 1 priority level(s) higher"]
    assert f("id")["route_when"](rule)[1] == "dengan skor 0,75 atau lebih"
    shadow = next(r for r in rules if r.get("shadow"))
    assert f("en")["route_then"](shadow)[-1].startswith("On trial")


def test_every_permission_has_plain_words_in_both_languages() -> None:
    from salingjaga.auth.permissions import all_permissions
    from salingjaga.web.permission_words import PERMISSION

    declared = set(all_permissions())
    assert declared <= set(PERMISSION), sorted(declared - set(PERMISSION))
    for name in declared:
        en, id_ = f("en")["permission"](name), f("id")["permission"](name)
        assert en == PERMISSION[name] and id_ != en and "." not in id_ and "_" not in id_
    assert f("en")["permission"]("rules.new_thing") == "Rules new thing"
