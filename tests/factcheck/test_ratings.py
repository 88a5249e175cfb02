"""What a fact-checker's rating means: the publisher's words in many languages, negation,
numeric ratings by position, and what routing then does with each verdict class."""

from __future__ import annotations

import pytest

from salingjaga.detection.base import SignalResult
from salingjaga.detection.routing import route
from salingjaga.factcheck.ratings import (
    CLASSES,
    build_vocabulary,
    classify_rating,
    classify_value,
    verdict_for,
)

# (rating as published, verdict class)
INDONESIAN = [
    ("Tidak Benar", "false"), ("TIDAK BENAR", "false"), ("Bukan Fakta", "false"),
    ("Keliru", "false"), ("SALAH", "false"), ("[SALAH]", "false"), ("[HOAKS]", "false"),
    ("HOAKS", "false"), ("DISINFORMASI", "false"), ("[DISINFORMASI] Video Lama", "false"),
    ("MISINFORMASI", "false"), ("FITNAH", "false"), ("PENIPUAN", "false"),
    ("KONTEN PALSU", "false"), ("Konten yang Dimanipulasi", "false"),
    ("Konten Yang Menyesatkan", "misleading"), ("Menyesatkan", "misleading"),
    ("KONTEKS KELIRU", "misleading"), ("Koneksi yang Salah", "misleading"),
    ("SATIRE/PARODI", "satire"), ("Sebagian Benar", "mixed"),
    ("tidak sepenuhnya benar", "mixed"), ("Tidak Terbukti", "unproven"),
    ("Belum Terbukti", "unproven"), ("Benar", "true"), ("Fakta", "true"),
    ("Benar tapi menyesatkan", "misleading"), ("Hilang Konteks", "misleading"),
    ("Tidak Tepat", "false"), ("Tidak akurat", "false"), ("Kurang Tepat", "misleading"),
    ("Cek Fakta: Tidak Benar Video Ini Menunjukkan Banjir di Jakarta Tahun Ini", "false"),
]
ENGLISH = [
    ("Not true", "false"), ("It is not true", "false"), ("isn't true", "false"),
    ("Untrue", "false"), ("Not correct", "false"), ("False", "false"), ("Pants on Fire!", "false"),
    ("Altered", "false"), ("Fabricated", "false"), ("Incorrect", "false"),
    ("Mostly False", "misleading"), ("Misleading", "misleading"),
    ("Missing context", "misleading"), ("Partly true", "mixed"), ("Half True", "mixed"),
    ("Mixture", "mixed"), ("Mostly True", "mixed"), ("Not entirely true", "mixed"),
    ("Satire", "satire"), ("Unproven", "unproven"), ("No evidence", "unproven"),
    ("True", "true"), ("Correct", "true"),
]
OTHER_LANGUAGES = [
    ("Falso", "false"), ("Faux", "false"), ("Falsch", "false"), ("Engañoso", "misleading"),
    ("Enganoso", "misleading"), ("não_é_bem_assim", "misleading"), ("錯誤", "false"),
    ("部分錯誤", "mixed"), ("زائف", "false"), ("مضلل", "misleading"), ("गलत", "false"),
    ("भ्रामक", "misleading"), ("não é verdade", "false"), ("no es cierto", "false"),
    ("n'est pas vrai", "false"), ("Ce n’est pas vrai", "false"), ("nicht wahr", "false"),
    ("Stimmt nicht", "false"), ("सच नहीं", "false"), ("غير صحيح", "false"),
    ("不正確", "false"), ("不完全正確", "mixed"), ("Verdadeiro", "true"), ("Vrai", "true"),
    ("FALSO: As imagens foram retiradas do canal no YouTube de um corretor imobiliário.",
     "false"),
]
# Uncertain or unknown: never true.
UNCERTAIN = [
    ("something new", "unrated"), ("Not false", "unrated"), ("", "unrated"),
    ("Benar, tetapi foto ini diambil pada tahun 2019 di lokasi yang berbeda", "unrated"),
    ("Reker hat diesen Satz nie gesagt. «Völliger Unsinn», heißt es dazu.", "unrated"),
]


@pytest.mark.parametrize(("rating", "verdict"), INDONESIAN + ENGLISH + OTHER_LANGUAGES + UNCERTAIN)
def test_rating_words_map_to_their_verdict(rating: str, verdict: str) -> None:
    assert verdict_for(rating) == verdict


def test_partly_true_ratings_are_never_true() -> None:
    for rating in ("Partly true", "Sebagian benar", "Half true", "Mostly true", "Separuh Benar",
                   "Parcialmente verdadeiro", "Partiellement vrai", "Teilweise richtig"):
        assert verdict_for(rating) == "mixed", rating


@pytest.mark.parametrize(("value", "best", "worst", "verdict"), [
    (1, None, None, "false"),          # schema.org defaults: 1..5
    ("2", "5", "1", "misleading"),
    (3, 5, 1, "mixed"),
    (4, 5, 1, "mixed"),                # "mostly" is not true
    (5, None, None, "true"),
    ("1", "5", "0", "false"),          # 0..5: 1 sits at 20 %
    (6, 6, 1, "true"),
    (2, 6, 1, "false"),
    (3, 6, 1, "misleading"),
])
def test_numeric_rating_maps_by_position(value: object, best: object, worst: object,
                                         verdict: str) -> None:
    assert classify_value(value, best, worst) == verdict


@pytest.mark.parametrize(("value", "best", "worst"), [
    ("", "5", "1"), ("1", "2", "2"), (7, 5, 1), ("n/a", None, None), (None, None, None),
])
def test_numeric_rating_that_cannot_be_placed_says_nothing(value: object, best: object,
                                                           worst: object) -> None:
    assert classify_value(value, best, worst) is None


def test_review_rating_words_win_over_numbers_and_unknown_words_are_never_true() -> None:
    # Lupa publishes "Falso" as 4 of 6; Aos Fatos "não é bem assim" as 5 of 6.
    assert classify_rating({"ratingValue": 4, "bestRating": 6, "alternateName": "Falso"}) == "false"
    assert classify_rating({"ratingValue": 5, "bestRating": 6,
                            "alternateName": "não_é_bem_assim"}) == "misleading"
    assert classify_rating({"name": "Keliru"}) == "false"
    assert classify_rating({"ratingValue": "2"}) == "misleading"
    assert classify_rating({"ratingValue": 5, "alternateName": "Bof"}) == "unrated"
    assert classify_rating({"ratingValue": 1, "alternateName": "Bof"}) == "false"
    assert classify_rating({}) == "unrated"


def test_vocabulary_refuses_one_phrase_with_two_meanings() -> None:
    with pytest.raises(ValueError, match="both"):
        build_vocabulary({"verdicts": {"Engañoso": "misleading", "enganoso": "false"}})
    with pytest.raises(ValueError, match="unknown class"):
        build_vocabulary({"verdicts": {"salah": "wrong"}})


def _claim_signal(verdict: str) -> SignalResult:
    return SignalResult("claim_match", "misinformation", 0.9, f"matches a fact-check ({verdict})",
                        key="fc1", data={"verdict": verdict})


@pytest.mark.parametrize("verdict", [v for v in CLASSES if v != "true"])
def test_every_verdict_but_true_brings_a_match_to_review(verdict: str) -> None:
    decision = route([_claim_signal(verdict)])
    assert [c.policy for c in decision.cases] == ["misinformation"], verdict
    assert not any(a.action == "remove" for a in decision.actions)


def test_a_true_fact_check_match_routes_nowhere() -> None:
    assert route([_claim_signal("true")]).route == "none"
