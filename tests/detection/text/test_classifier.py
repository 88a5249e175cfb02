import csv

import numpy as np
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


def test_shipped_model_file_is_small_and_built_from_the_shipped_examples():
    from importlib import resources

    from salingjaga.detection.text import classifier

    shipped = resources.files("salingjaga.detection").joinpath(classifier.DEFAULT_MODEL)
    assert shipped.is_file()
    with resources.as_file(shipped) as path:
        assert path.stat().st_size < 2_000_000
        model = classifier.load(path)
    # rebuild with: python -m salingjaga.detection.text.classifier
    assert model.source == classifier._sha256(classifier._default_csv())
    assert set(model.models) == set(LABELS)


def test_saved_model_round_trips_exactly(tmp_path):
    from salingjaga.detection.text import classifier

    model = classifier.train(classifier.default_examples()[::3])
    classifier.save(model, tmp_path / "m.npz")
    again = classifier.load(tmp_path / "m.npz")
    texts = ["Coblos dua kali boleh asal bawa KTP", "resep soto ayam", "usir etnis itu"]
    assert np.allclose(model.scores(texts), again.scores(texts), atol=1e-6)


def test_load_refuses_other_files(tmp_path):
    import pytest

    from salingjaga.detection.text import classifier

    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ValueError):
        classifier.load(bad)


def test_batch_scores_equal_one_by_one():
    texts = ["KPU curang suara digelembungkan", "Diskon batik", "", "Bakar gereja mereka"]
    batch = classify(texts)
    assert batch == [classify([t])[0] for t in texts]


def test_unseen_phrasings_of_each_policy():
    # sentences not in text_labels.csv
    procedure, disrupt, hate, english, none = classify([
        "Info penting: nyoblos sekarang bisa lewat SMS, ketik NIK kirim ke 1234",
        "Besok kita serbu kantor KPU dan rusak semua kotak suara",
        "Orang suku itu harus diusir semua dari kota kita, mereka sampah",
        "Breaking: the election has been cancelled and the commission is hiding it",
        "Jadwal pertandingan sepak bola liga malam ini",
    ])
    assert procedure["election_related"] > 0.5 > none["election_related"]
    assert procedure["civic_integrity"] > none["civic_integrity"] + 0.2
    assert disrupt["civic_integrity"] > 0.5
    assert hate["hate_sara"] > 0.5 > procedure["hate_sara"]
    assert english["election_related"] > 0.5
    assert max(none.values()) < 0.5
