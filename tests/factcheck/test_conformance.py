"""Real ClaimReview markup, as fact-checkers publish it, imported the way a user would:
through ``salingjaga factchecks import`` and through the API.

The files are the third-party references in ``shared/conformance/claimreview`` (see its
README for provenance); the verdict expected of each was written after reading the file's
own rating."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from salingjaga.cli import app as cli
from salingjaga.factcheck.models import FactCheck
from tests.conftest import bearer

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CLAIMREVIEW = SHARED / "conformance" / "claimreview"

# file -> (verdict class, the publisher's rating as kept, what is notable about the file)
EXPECTED = {
    "aajtak_india_today_raw_1.json": ("false", "False", "Hindi claim, rating 1 of 1..5"),
    "afp_checamos_raw_1.json": ("false", "Falso", "@graph, Portuguese"),
    "afp_factual_all_raw_1.json": ("false", "Falso", "@graph, Spanish, itemReviewed a Claim"),
    "afp_factual_raw_1.json": ("misleading", "Engañoso", "@graph, Spanish"),
    "afp_factuel_raw_1.json": ("false", "Faux", "@graph, French"),
    "afp_faktencheck_raw_1.json": ("false", "Falsch", "@graph, German"),
    "afp_raw_1.json": ("false", "False", "@graph, English"),
    "africa_check_raw_1.json": ("false", "Incorrect", "claimant name given as a list"),
    "aos_fatos_raw_1.json": ("misleading", "não_é_bem_assim",
                             "@type a list; 'not quite so', rated 5 of 6"),
    "bangla_boom_live_raw_1.json": ("false", "False", "empty bestRating"),
    "comprova_raw_1.json": ("false", "FALSO: As imagens foram retiradas",
                            "top-level list; the label opens an explanation"),
    "data_commons_raw.json": ("unrated", "Reker hat diesen Satz nie gesagt.",
                              "DataFeedItem; the rating is a sentence, no label"),
    "estadao_raw_1.json": ("false", "Falso", "relative url, scale 1..2"),
    "fact_check_cite_raw_1.json": ("unrated", "The Health Desk Experts said",
                                   "the rating is an explanation, empty ratingValue"),
    "hindi_boom_live_raw_1.json": ("misleading", "Misleading", "itemReviewed.name"),
    "india_today_mixed_ld_json_types_1.json": ("mixed", "Half true", "3 of 1..5"),
    "lupa_raw_1.json": ("false", "Falso", "@type ['ClaimReview'], 'Falso' rated 4 of 6"),
    "news_checker_raw_1.json": ("false", "False", "firstAppearance, bestRating == worstRating"),
    "tfc_taiwan_raw_1.json": ("false", "錯誤", "Chinese, no ratingValue"),
    "the_quint_raw_1.json": ("false", "False", "claimReviewed a list, worstRating 0"),
    "uol_confere_raw_1.json": ("false", "Falso", "top-level list, Portuguese"),
    "vishvas_news_english_raw_1.json": ("false", "False", "HTML entity in the claim"),
}


def _files() -> list[Path]:
    if not CLAIMREVIEW.is_dir():
        pytest.skip(f"conformance files not found at {CLAIMREVIEW} (shared/ beside the checkout)")
    return sorted(CLAIMREVIEW.glob("*.json"))


def test_every_reference_file_has_an_expectation() -> None:
    """A file added to the references without a verdict written here fails, so none is
    imported untested."""
    assert sorted(p.name for p in _files()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_imports_each_reference_file_with_its_verdict(name: str, settings, db) -> None:
    path = CLAIMREVIEW / name
    if not path.is_file():
        pytest.skip(f"{path} not found (shared/ beside the checkout)")
    verdict, rating, _why = EXPECTED[name]
    r = CliRunner().invoke(cli, ["factchecks", "import", str(path), "--no-match", "--json",
                                 "--database-url", settings.database_url])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert (summary["created"], summary["skipped"], summary["errors"]) == (1, 0, [])
    with db.session() as s:
        row = s.scalars(select(FactCheck)).one()
        assert row.verdict == verdict
        assert row.rating.startswith(rating)  # the publisher's own words, for the moderator
        assert row.claim.strip() and row.publisher


def test_reference_details_are_read(settings, db) -> None:
    """Claimant, dates, appearances and claims in the shapes the publishers use."""
    for name in ("the_quint_raw_1.json", "africa_check_raw_1.json", "comprova_raw_1.json",
                 "vishvas_news_english_raw_1.json", "data_commons_raw.json"):
        path = CLAIMREVIEW / name
        if not path.is_file():
            pytest.skip(f"{path} not found (shared/ beside the checkout)")
        r = CliRunner().invoke(cli, ["factchecks", "import", str(path), "--no-match",
                                     "--database-url", settings.database_url])
        assert r.exit_code == 0, r.output
    with db.session() as s:
        rows = {r.review_url: r for r in s.scalars(select(FactCheck))}
    quint = next(r for u, r in rows.items() if u and "thequint" in u)
    assert quint.claim == "Last Tweets of Sushant Singh Rajput shared on 14 June"
    assert quint.review_date is not None and quint.review_date.hour == 14  # +05:30 -> UTC
    africa = next(r for u, r in rows.items() if u and "africacheck" in u)
    assert africa.claimant == "Mzwandile Masina, mayor of Ekurhuleni"
    assert africa.appearance_urls == ["https://youtu.be/jA8iEODBe5Q?t=1368"]
    comprova = next(r for u, r in rows.items() if u and "comprova" in u)
    assert comprova.appearance_urls == ["https://kwai-video.com/p/TDQEC1Og",
                                        "https://kwai-video.com/p/2rSh4OCe"]
    assert comprova.claim_date is not None and comprova.claim_date.day == 23
    vishvas = next(r for u, r in rows.items() if u and "vishvasnews" in u)
    assert "Manmohan Singh's" in vishvas.claim
    dpa = next(r for u, r in rows.items() if u and "presseportal" in u)
    assert dpa.publisher == "Deutsche Presse-Agentur" and dpa.claimant == "Irmin Suhl"


def test_api_takes_reference_files_as_published(client, world, db) -> None:
    """The import endpoint takes a whole page's markup; the single-review endpoint takes
    a ClaimReview with ``@type`` as a list and ``claimReviewed`` as a list."""
    _files()
    checker = world.key("fact_checker", world.partner("MAFINDO", kind="fact_checker"))
    headers = {**bearer(checker), "Content-Type": "application/ld+json"}
    feed = (CLAIMREVIEW / "data_commons_raw.json").read_bytes()
    r = client.post("/api/v1/factchecks/import", content=feed, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1 and r.json()["errors"] == []
    aos = json.loads((CLAIMREVIEW / "aos_fatos_raw_1.json").read_text("utf-8"))
    r = client.post("/api/v1/factchecks", json=aos, headers=bearer(checker))
    assert r.status_code == 201, r.text
    assert r.json()["verdict"] == "misleading" and r.json()["rating"] == "não_é_bem_assim"
    quint = json.loads((CLAIMREVIEW / "the_quint_raw_1.json").read_text("utf-8"))
    r = client.post("/api/v1/factchecks", json=quint, headers=bearer(checker))
    assert r.status_code == 201, r.text
    assert r.json()["verdict"] == "false"
    assert r.json()["claim"] == "Last Tweets of Sushant Singh Rajput shared on 14 June"
    with db.session() as s:
        verdicts = sorted(s.scalars(select(FactCheck.verdict)))
    assert verdicts == ["false", "misleading", "unrated"]
