"""The data migration that re-reads ratings the old vocabulary stored as true or other."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from salingjaga.core.settings import Settings
from salingjaga.migrate import upgrade

ROWS = [  # id, rating, verdict as the old vocabulary stored it
    ("fc_1", "Tidak Benar", "true"),
    ("fc_2", "Keliru", "other"),
    ("fc_3", "Benar", "true"),
    ("fc_4", "Partly true", "true"),
    ("fc_5", "Apa ini", "other"),
    ("fc_6", "Salah", "false"),
]


def test_stored_inverted_verdicts_are_corrected(tmp_path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'old.db'}", data_dir=tmp_path / "data")
    upgrade(settings, "factcheck_0001")
    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        for fid, rating, verdict in ROWS:
            conn.execute(text(
                "INSERT INTO factchecks (id, dedup_key, claim, appearance_urls, verdict, rating, "
                "publisher, source, created_at, updated_at) VALUES (:id, :key, 'klaim', :urls, "
                ":verdict, :rating, 'Contoh', 'import', '2024-01-01 00:00:00', "
                "'2024-01-01 00:00:00')"),
                {"id": fid, "key": fid, "urls": json.dumps([]), "verdict": verdict, "rating": rating})
    upgrade(settings)
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT id, verdict FROM factchecks")).all())
        touched = {r[0] for r in conn.execute(text(
            "SELECT id FROM factchecks WHERE updated_at > '2024-01-02'"))}
    engine.dispose()
    assert got == {"fc_1": "false", "fc_2": "false", "fc_3": "true", "fc_4": "mixed",
                   "fc_5": "unrated", "fc_6": "false"}
    assert touched == {"fc_1", "fc_2", "fc_4", "fc_5"}
