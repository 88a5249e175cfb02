import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from salingjaga.cli import app as cli
from salingjaga.factcheck.models import FactCheck
from salingjaga.factcheck.service import parse_file, verdict_for
from tests.conftest import bearer

CLAIMREVIEW = [
    {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://cekfakta.example/2024/01/tps-lewat-wa",
        "claimReviewed": "Pemilih bisa mencoblos lewat WhatsApp tanpa datang ke TPS",
        "datePublished": "2024-01-20",
        "author": {"@type": "Organization", "name": "Cek Fakta Contoh"},
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "alternateName": "Salah"},
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "akun anonim"},
                         "datePublished": "2024-01-18",
                         "appearance": [{"@type": "CreativeWork", "url": "https://video.example/1"}]},
        "inLanguage": "id",
    },
    {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://factcheck.example/ballots-warehouse",
        "claimReviewed": "Ballots were pre-marked in a KPU warehouse",
        "author": {"name": "Example Checks"},
        "reviewRating": {"alternateName": "Missing context"},
    },
]
GOOGLE = {"claims": [{
    "text": "Hari pemungutan suara diundur ke 15 Februari", "claimant": "pesan berantai",
    "claimDate": "2024-02-10T08:00:00Z",
    "claimReview": [{"publisher": {"name": "Contoh Cek", "site": "contoh.example"},
                     "url": "https://contoh.example/diundur", "textualRating": "Hoaks",
                     "languageCode": "id", "reviewDate": "2024-02-11T00:00:00Z"}],
}]}
CSV = ("claim,rating,publisher,review_url,appearance_urls,language\n"
       "Surat suara sudah dicoblos di gudang,Konten yang Menyesatkan,Contoh,https://c.example/1,"
       "https://a.example/1|https://a.example/2,id\n"
       ",Salah,Contoh,https://c.example/2,,id\n")


def test_formats_parse_with_verdicts():
    items = parse_file("x.json", json.dumps(CLAIMREVIEW))
    assert [i.rating for i in items] == ["Salah", "Missing context"]
    assert items[0].claimant == "akun anonim" and items[0].appearance_urls == ["https://video.example/1"]
    assert items[0].publisher == "Cek Fakta Contoh" and items[0].claim_date.year == 2024
    google = parse_file("g.json", json.dumps(GOOGLE))
    assert google[0].publisher == "Contoh Cek" and google[0].rating == "Hoaks"
    rows = parse_file("f.csv", CSV)
    assert rows[0].appearance_urls == ["https://a.example/1", "https://a.example/2"]
    assert verdict_for("Konten yang Menyesatkan") == "misleading"
    assert verdict_for("[SALAH]") == "false"
    assert verdict_for("Mostly False") == "misleading"
    assert verdict_for("something new") == "unrated"  # never true, never dropped


def test_cli_import_reimport_updates_and_reports_bad_rows(tmp_path, settings, db):
    runner = CliRunner()
    url = ["--database-url", settings.database_url]
    jf = tmp_path / "reviews.json"
    jf.write_text(json.dumps(CLAIMREVIEW))
    r = runner.invoke(cli, ["factchecks", "import", str(jf), "--json", *url])
    assert r.exit_code == 0, r.output
    assert '"created": 2' in r.output
    CLAIMREVIEW[1]["reviewRating"]["alternateName"] = "False"
    jf.write_text(json.dumps(CLAIMREVIEW))
    r = runner.invoke(cli, ["factchecks", "import", str(jf), "--json", *url])
    assert '"created": 0' in r.output and '"updated": 1' in r.output and '"unchanged": 1' in r.output
    cf = tmp_path / "rows.csv"
    cf.write_text(CSV)
    r = runner.invoke(cli, ["factchecks", "import", str(cf), "--json", *url])
    assert '"created": 1' in r.output and '"skipped": 1' in r.output
    gf = tmp_path / "google.json"
    gf.write_text(json.dumps(GOOGLE))
    assert runner.invoke(cli, ["factchecks", "import", str(gf), *url]).exit_code == 0
    with db.session() as s:
        assert s.scalar(select(func.count(FactCheck.id))) == 4
        row = s.scalar(select(FactCheck).where(FactCheck.review_url == "https://factcheck.example/ballots-warehouse"))
        assert row.verdict == "false"


def test_cli_import_refuses_broken_json(tmp_path, settings):
    bad = tmp_path / "bad.json"
    bad.write_text('{"claims": [')
    r = CliRunner().invoke(cli, ["factchecks", "import", str(bad), "--database-url", settings.database_url])
    assert r.exit_code != 0
    assert "not valid JSON" in r.output


def _review(n: int, **extra):
    return {"@type": "ClaimReview", "url": f"https://cek.example/{n}",
            "claimReviewed": f"Klaim nomor {n} tentang hari pemungutan suara",
            "author": {"@type": "Organization", "name": "Cek Contoh"},
            "reviewRating": {"@type": "Rating", "alternateName": "Tidak Benar"}, **extra}


def _cli_json(runner, path, settings):
    r = runner.invoke(cli, ["factchecks", "import", str(path), "--json", "--no-match",
                            "--database-url", settings.database_url])
    return r, json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else None


def test_every_claimreview_shape_imports(tmp_path, settings, db):
    """@type as a list, @graph, a DataFeed of DataFeedItems, a bare DataFeedItem, and
    ratings given only by name, only by alternateName or only by number."""
    feed = {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": [
        {"@type": "DataFeedItem", "item": [_review(1, **{"@type": ["Review", "ClaimReview"]})]},
        {"@type": "DataFeedItem", "item": _review(2, reviewRating={"name": "Keliru"})},
    ]}
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "not a review"},
        _review(3, reviewRating={"ratingValue": "2", "bestRating": "5", "worstRating": "1"}),
        _review(4, claimReviewed=["Klaim empat", "Klaim empat lagi"],
                reviewRating={"alternateName": "Sebagian benar"}),
    ]}
    item = {"@type": "DataFeedItem", "item": [_review(5, reviewRating={"alternateName": "Bukan Fakta"})]}
    runner = CliRunner()
    for number, doc in enumerate((feed, graph, item)):
        path = tmp_path / f"doc{number}.json"
        path.write_text(json.dumps(doc))
        r, summary = _cli_json(runner, path, settings)
        assert r.exit_code == 0, r.output
        assert summary["skipped"] == 0, summary
    with db.session() as s:
        got = {row.review_url.rsplit("/", 1)[-1]: (row.verdict, row.rating, row.claim)
               for row in s.scalars(select(FactCheck))}
    assert got == {
        "1": ("false", "Tidak Benar", "Klaim nomor 1 tentang hari pemungutan suara"),
        "2": ("false", "Keliru", "Klaim nomor 2 tentang hari pemungutan suara"),
        "3": ("misleading", "2 (1-5)", "Klaim nomor 3 tentang hari pemungutan suara"),
        "4": ("mixed", "Sebagian benar", "Klaim empat / Klaim empat lagi"),
        "5": ("false", "Bukan Fakta", "Klaim nomor 5 tentang hari pemungutan suara"),
    }


def test_one_broken_record_is_reported_and_the_rest_imported(tmp_path, settings, db):
    broken = _review(2)
    del broken["claimReviewed"]
    no_rating = _review(4, reviewRating={"@type": "Rating"})
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([_review(1), broken, _review(3), no_rating, _review(5)]))
    r, summary = _cli_json(CliRunner(), path, settings)
    assert r.exit_code == 0, r.output
    assert (summary["created"], summary["skipped"]) == (3, 2)
    assert summary["errors"] == [
        {"item": "record 2 (https://cek.example/2)",
         "message": "ClaimReview needs claimReviewed: the claim's text"},
        {"item": "record 4 (https://cek.example/4)",
         "message": "ClaimReview needs reviewRating with alternateName, name or a numeric "
                    "ratingValue: the verdict"},
    ]
    with db.session() as s:
        assert s.scalar(select(func.count(FactCheck.id))) == 3


def test_cli_fails_in_one_line_when_a_file_gives_nothing(tmp_path, settings):
    runner = CliRunner()
    url = ["--database-url", settings.database_url]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                                "headline": "no review here"}))
    r = runner.invoke(cli, ["factchecks", "import", str(page), *url])
    assert r.exit_code != 0
    assert "nothing imported from page.json" in r.output and len(r.output.strip().splitlines()) == 1
    allbad = tmp_path / "allbad.json"
    allbad.write_text(json.dumps([{"@type": "ClaimReview", "reviewRating": {"name": "Salah"}}]))
    r = runner.invoke(cli, ["factchecks", "import", str(allbad), *url])
    assert r.exit_code != 0
    assert "all 1 records were refused" in r.output and "claimReviewed" in r.output


TSV = ("claim\trating\tpublisher\treview_url\treview_date\tclaim_date\n"
       "Pemungutan suara diundur, kata pesan berantai\tTidak Benar\tContoh\thttps://t.example/1\t"
       "March 30, 2018\t30 Maret 2018\n"
       "Kotak suara dibakar di gudang, katanya\tKeliru\tContoh\thttps://t.example/2\t"
       "30/03/2018\t2018-03-28T22:00:00-03:00\n"
       "KPU menghapus jutaan pemilih, kata sebuah video\tHoaks\tContoh\thttps://t.example/3\t"
       "Jumat, 30 Mar 2018 14:05 WIB\t\n"
       "Tanggal yang tidak ada\tSalah\tContoh\thttps://t.example/4\t31/02/2018\t\n"
       "Tanggal yang bukan tanggal\tSalah\tContoh\thttps://t.example/5\tkemarin sore\t\n")


def test_tsv_with_common_and_indonesian_dates(tmp_path, settings, db):
    path = tmp_path / "factchecks.txt"  # no telling extension: the delimiter is sniffed
    path.write_text(TSV)
    r, summary = _cli_json(CliRunner(), path, settings)
    assert r.exit_code == 0, r.output
    assert (summary["created"], summary["skipped"]) == (3, 2)
    assert [e["item"] for e in summary["errors"]] == ["row 5", "row 6"]
    assert all(e["message"].startswith("review_date: ") for e in summary["errors"])
    assert "kemarin sore" in summary["errors"][1]["message"]
    with db.session() as s:
        rows = {r.review_url[-1]: r for r in s.scalars(select(FactCheck))}
    assert {k: r.verdict for k, r in rows.items()} == {"1": "false", "2": "false", "3": "false"}
    assert rows["1"].review_date.date().isoformat() == "2018-03-30"
    assert rows["1"].claim_date.date().isoformat() == "2018-03-30"
    assert rows["2"].review_date.date().isoformat() == "2018-03-30"
    assert rows["2"].claim_date.isoformat() == "2018-03-29T01:00:00+00:00"
    assert rows["3"].review_date.isoformat() == "2018-03-30T07:05:00+00:00"  # 14:05 WIB


def test_semicolon_csv_is_sniffed():
    from salingjaga.factcheck.formats import parse_document

    parsed = parse_document("x.csv", "Claim;Rating;Review_URL\nKlaim; Bukan Fakta ;https://s.example/1\n")
    assert parsed.errors == []
    [(where, data)] = parsed.items
    assert where == "row 2" and data.claim == "Klaim" and data.rating == "Bukan Fakta"


def test_api_import_reports_per_record_and_refuses_a_body_with_nothing(client, world, db):
    checker = world.key("fact_checker", world.partner("MAFINDO", kind="fact_checker"))
    broken = _review(2)
    del broken["claimReviewed"]
    doc = {"@context": "https://schema.org", "@graph": [_review(1), broken]}
    r = client.post("/api/v1/factchecks/import", json=doc, headers=bearer(checker))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["updated"], body["skipped"]) == (1, 0, 1)
    assert body["errors"][0]["item"] == "record 2 (https://cek.example/2)"
    r = client.post("/api/v1/factchecks/import", content=TSV.encode(),
                    headers={**bearer(checker), "Content-Type": "text/tab-separated-values"})
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["skipped"]) == (3, 2)
    r = client.post("/api/v1/factchecks/import", json={"@type": "NewsArticle"}, headers=bearer(checker))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "nothing_imported"
    assert r.json()["error"]["details"]["created"] == 0
    moderator = world.key("moderator")
    assert client.post("/api/v1/factchecks/import", json=doc, headers=bearer(moderator)).status_code == 403
    with db.session() as s:
        rows = list(s.scalars(select(FactCheck)))
    assert len(rows) == 4 and {r.source for r in rows} == {"api"}
