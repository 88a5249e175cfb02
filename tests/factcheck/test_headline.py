"""A fact-check is matched by its claim in the fact-checker's words and by its review's
headline, which often restates the claim the way posts word it."""

from __future__ import annotations

from salingjaga.factcheck.formats import from_claimreview, from_csv
from tests.conftest import bearer

REVIEW = {
    "@type": "ClaimReview",
    "claimReviewed": "Foto tumpukan kotak suara yang terbakar",
    "headline": "[SALAH] Gudang logistik KPU Bekasi dibakar massa pendukung paslon",
    "reviewRating": {"alternateName": "Salah"},
    "url": "https://cekfakta.example/gudang-logistik",
}


def test_the_headline_is_read_when_it_differs_from_the_claim() -> None:
    assert from_claimreview(REVIEW).headline.startswith("[SALAH] Gudang logistik")
    same = {**REVIEW, "headline": " foto tumpukan  kotak suara yang terbakar"}
    assert from_claimreview(same).headline == ""
    [(_, row)] = from_csv("claim,rating,title\nKotak suara terbakar,Salah,Gudang KPU dibakar\n").items
    assert row.headline == "Gudang KPU dibakar"


def test_a_post_worded_like_the_headline_matches_the_fact_check(client, world, db) -> None:
    from salingjaga.detection.text.matcher import MatcherCache, get_matcher

    checker = world.key("fact_checker", world.partner("Cek Fakta Nusantara", kind="fact_checker"))
    r = client.post("/api/v1/factchecks", json=REVIEW, headers=bearer(checker))
    assert r.status_code == 201, r.text
    other = {**REVIEW, "claimReviewed": "Surat suara tercoblos di Sidoarjo", "headline": "",
             "url": "https://cekfakta.example/sidoarjo"}
    assert client.post("/api/v1/factchecks", json=other, headers=bearer(checker)).status_code == 201
    matcher = get_matcher(db, MatcherCache(semantic="never"))
    [hits] = matcher.match(["Viral! gudang logistik KPU di Bekasi dibakar massa pendukung paslon"], k=2)
    assert hits[0].factcheck_id == r.json()["id"] and hits[0].score > 2 * hits[1].score
    assert hits[0].claim == REVIEW["claimReviewed"]  # the moderator still reads the claim
