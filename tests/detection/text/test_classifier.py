import csv

from typer.testing import CliRunner

from salingjaga.cli import app as cli
from salingjaga.detection.text.classifier import LABELS, MODEL_FILE, classify, load_classifier


def test_default_model_scores_each_policy():
    texts = [
        "Pencoblosan bisa diwakilkan lewat WA, cukup kirim foto KTP ke nomor ini #pemilu2024",
        "Usir kaum itu dari kampung kita, agamanya sesat dan halal darahnya",
        "Diskon batik 20% minggu ini, mampir ke toko kami",
    ]
    civic, hate, shop = classify(texts)
    assert set(civic) == set(LABELS)
    assert all(0.0 <= v <= 1.0 for v in civic.values())
    assert civic["election_related"] > 0.5 > shop["election_related"]
    assert civic["civic_integrity"] > shop["civic_integrity"]
    assert hate["hate_sara"] > 0.5 > civic["hate_sara"]


def test_train_from_csv_replaces_the_model(tmp_path, settings):
    data = tmp_path / "decisions.csv"
    rows = [("promo kupon belanja gratis ongkir", "misinformation")] * 3 + [
        ("video kucing lucu", "none"), ("resep nasi goreng", "none"), ("jadwal kereta", "none")]
    with open(data, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows(rows)
    r = CliRunner().invoke(cli, ["train", "--data", str(data), "--database-url", settings.database_url],
                           env={"SALINGJAGA_DATA_DIR": str(settings.data_dir)})
    assert r.exit_code == 0, r.output
    assert (settings.data_dir / MODEL_FILE).is_file()
    model = load_classifier(settings.data_dir)
    # the retrained model learnt what this platform calls misinformation
    scores = classify(["kupon belanja gratis ongkir promo"], model)[0]
    assert scores["election_misinformation"] > 0.5


def test_train_refuses_unknown_labels(tmp_path, settings):
    data = tmp_path / "bad.csv"
    data.write_text("text,label\na,spam\nb,none\nc,none\nd,none\n")
    r = CliRunner().invoke(cli, ["train", "--data", str(data), "--database-url", settings.database_url])
    assert r.exit_code != 0 and "unknown labels" in r.output


def test_eval_claims_prints_metrics(tmp_path):
    facts = tmp_path / "f.csv"
    facts.write_text("id,text\na,Surat suara dicoblos duluan di gudang KPU\nb,Link bansos korban judi online\n")
    queries = tmp_path / "q.csv"
    queries.write_text("text,expected_id\nsurat suara sdh dicoblos di gudang kpu!!,a\ndaftar bansos judol,b\n")
    r = CliRunner().invoke(cli, ["eval", "claims", "--factchecks", str(facts), "--queries", str(queries),
                                 "--semantic", "never", "--json"])
    assert r.exit_code == 0, r.output
    import json

    out = json.loads(r.output.strip().splitlines()[-1])
    assert set(out) == {"recall_at_1", "recall_at_5", "mrr", "queries_per_second"}
    assert out["recall_at_1"] == 1.0
