"""English and Indonesian across each other: a post in one language finds the fact-check
written in the other, also when names shared with a wrong fact-check pull lexically."""

from __future__ import annotations

from salingjaga.detection.text.index import language_group
from salingjaga.detection.text.matcher import ClaimMatcher, FactCheckEntry

INDONESIAN = [
    FactCheckEntry("fc-judi", "Raffi Ahmad membuka situs judi online untuk membantu ekonomi rakyat", "false"),
    FactCheckEntry("fc-giveaway", "Raffi Ahmad bagi-bagi hadiah uang 50 juta lewat akun TikTok", "false"),
    FactCheckEntry("fc-vaksin", "Vaksin Covid-19 menyebabkan kematian mendadak pada anak muda", "false"),
    FactCheckEntry("fc-gempa", "Gempa magnitudo 9 mengguncang Bengkulu dan memicu tsunami", "false"),
    FactCheckEntry("fc-kpu", "KPU menghapus jutaan nama pemilih dari daftar pemilih tetap", "false"),
]
ENGLISH = [
    FactCheckEntry("en-flood", "Video shows a flood sweeping away cars in Jakarta this week", "false"),
    FactCheckEntry("en-ballots", "Ballots were found already punched for one candidate in a warehouse", "false"),
    FactCheckEntry("en-salary", "The president doubled the salaries of all civil servants", "false"),
]


def test_english_posts_find_the_indonesian_fact_checks() -> None:
    matcher = ClaimMatcher(INDONESIAN, semantic="auto")
    posts = ["BREAKING: Raffi Ahmad launched an online gambling site, saying it will help the people's economy",
             "Covid vaccines are killing young people suddenly, share before it is deleted",
             "The election commission erased millions of voters from the final voter list"]
    found = [hits[0].factcheck_id for hits in matcher.match(posts, k=3)]
    assert found == ["fc-judi", "fc-vaksin", "fc-kpu"]


def test_indonesian_posts_find_the_english_fact_checks() -> None:
    matcher = ClaimMatcher(ENGLISH, semantic="auto")
    posts = ["Viral!! surat suara sudah dicoblos untuk satu calon ditemukan di gudang",
             "Presiden menaikkan gaji semua PNS dua kali lipat mulai bulan ini"]
    found = [hits[0].factcheck_id for hits in matcher.match(posts, k=3)]
    assert found == ["en-ballots", "en-salary"]


def test_only_the_english_indonesian_pair_is_weighted_as_across() -> None:
    assert [language_group(x) for x in ("id", "ms", "en", "fr")] == [0, 0, 1, 2]
    matcher = ClaimMatcher(INDONESIAN + ENGLISH, semantic="always")
    cross_from_english = matcher.index._cross("Ballots were found already punched for one candidate")
    cross_from_indonesian = matcher.index._cross("Surat suara sudah dicoblos untuk satu calon di gudang")
    assert cross_from_english is not None and cross_from_indonesian is not None
    assert cross_from_english.tolist() == [True] * 5 + [False] * 3
    assert cross_from_indonesian.tolist() == [False] * 5 + [True] * 3
