import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from salingjaga.cli import app as cli
from salingjaga.factcheck.models import FactCheck
from salingjaga.factcheck.service import parse_file, verdict_for

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
