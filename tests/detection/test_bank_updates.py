"""Bank changes reach every worker's index in place: entries added or removed in the
database (through the bank version row and removal log) are added to or removed from the
worker's arrays, never rebuilt; a saved index is mapped back at the next start and caught up."""

from __future__ import annotations

import multiprocessing as mp
import time
from typing import Any

import numpy as np
import pytest

from salingjaga.detection import bank_cache, bank_store
from salingjaga.detection.banks import BankEntry, BankMatcher, entry_id
from salingjaga.detection.models import HashBankEntry


def _hashes(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(n)]


def _import(db: Any, name: str, hashes: list[str], label: str = "x", source: str = "", **kw: Any) -> None:
    with db.session() as s:
        bank = bank_store.get_or_create_bank(s, name, policy="civic_election_integrity", **kw)
        bank_store.import_bank_entries(s, bank, [("pdq", h, label) for h in hashes], source=source)
        s.commit()


def _ids(db: Any, hashes: list[str]) -> list[int]:
    from sqlalchemy import select

    with db.session() as s:
        rows = s.execute(select(HashBankEntry.value, HashBankEntry.id).where(HashBankEntry.value.in_(hashes)))
        found = dict(rows.tuples().all())
    return [found[h] for h in hashes if h in found]  # in the order of ``hashes``


def test_worker_index_follows_additions_and_removals_in_place(db) -> None:
    first, later = _hashes(50, 1), _hashes(5, 2)
    _import(db, "refresh", first)
    with db.session() as s:
        wb = bank_cache.worker_banks(s)
        index = wb.index
        banks = wb.bound(s)
        assert banks.match_pdq([first[3]])[0][0].distance == 0
        assert banks.match_pdq([later[0]]) == [[]]
    _import(db, "refresh", later, label="y")
    gone = _ids(db, first[:10])
    with db.session() as s:
        bank_store.remove_entries(s, bank_store.bank_by_name(s, "refresh"), ids=gone)
        s.commit()
    with db.session() as s:
        again = bank_cache.worker_banks(s)
        assert again is wb and again.index is index  # updated in place
        banks = again.bound(s)
        assert banks.match_pdq([later[0]])[0][0].entry.label == "y"
        assert banks.match_pdq([first[3]]) == [[]]
        assert banks.match_pdq([first[20]])[0][0].distance == 0
        assert len(banks) == 45


def test_bank_settings_change_applies_without_touching_rows(db) -> None:
    [a] = _hashes(1, 5)
    near = format(int(a, 16) ^ 0xFFFFF, "064x")  # 20 bits away
    _import(db, "strictness", [a])
    with db.session() as s:
        assert bank_cache.worker_banks(s).bound(s).match_pdq([near])[0][0].distance == 20
    with db.session() as s:
        bank_store.get_or_create_bank(s, "strictness", policy="civic_election_integrity", pdq_threshold=10)
        s.commit()
    with db.session() as s:
        assert bank_cache.worker_banks(s).bound(s).match_pdq([near]) == [[]]


def test_matcher_add_and_remove_keep_thresholds_per_bank() -> None:
    [a, b] = _hashes(2, 3)
    near_b = format(int(b, 16) ^ 0xFFFFF, "064x")  # 20 bits from b
    m = BankMatcher([BankEntry(entry_id("one", 1), "one", "review", "p", "pdq", a, "", 31)])
    m.add([BankEntry(entry_id("two", 1), "two", "review", "p", "pdq", b, "", 10),
           BankEntry(entry_id("two", 2), "two", "review", "p", "md5", "0" * 32, "", 31)])
    assert m.match_pdq([near_b]) == [[]]  # bank two's threshold is 10
    assert len(m.match_md5("0" * 32)) == 1
    m.add([BankEntry(entry_id("three", 1), "three", "review", "p", "pdq", b, "", 31)])
    assert [x.entry.bank for x in m.match_pdq([near_b])[0]] == ["three"]
    assert m.remove([entry_id("three", 1), entry_id("two", 2)]) == 2
    assert m.match_pdq([near_b]) == [[]] and m.match_md5("0" * 32) == []
    assert m.match_pdq([a])[0][0].entry.bank == "one"


def test_saved_index_is_mapped_at_start_and_caught_up(db, tmp_path) -> None:
    hashes, more = _hashes(300, 6), _hashes(20, 7)
    md5 = "ab" * 16
    _import(db, "saved", hashes)
    with db.session() as s:
        bank = bank_store.get_or_create_bank(s, "saved", policy="civic_election_integrity")
        bank_store.import_bank_entries(s, bank, [("md5", md5, "file")])
        s.commit()
    with db.session() as s:
        wb = bank_cache.worker_banks(s, tmp_path)
        assert wb.path is not None and (wb.path / "manifest.json").exists()
        assert isinstance(wb.index.pdq_ids.base.base, np.memmap)  # the mapped copy serves
    _import(db, "saved", more)
    with db.session() as s:
        bank_store.remove_entries(s, bank_store.bank_by_name(s, "saved"), hashes=hashes[:5])
        s.commit()
    bank_cache.forget()  # as a process started now
    with db.session() as s:
        fresh = bank_cache.worker_banks(s, tmp_path)
        assert fresh is not wb and isinstance(fresh.index.pdq_ids.base.base, np.memmap)
        banks = fresh.bound(s)
        assert banks.match_pdq([hashes[2]]) == [[]]
        assert banks.match_pdq([hashes[100]])[0][0].distance == 0
        assert banks.match_pdq([more[19]])[0][0].distance == 0
        assert banks.match_md5(md5)[0].entry.label == "file"
        assert len(banks) == 300 - 5 + 20 + 1


def _worker(url: str, commands: Any, answers: Any) -> None:
    """A second worker process: answers which of the hashes asked for its banks match."""
    from salingjaga.core.db import Database

    db = Database(url)
    while (hashes := commands.get()) is not None:
        with db.session() as s:
            banks = bank_cache.worker_banks(s).bound(s)
            answers.put([bool(m) for m in banks.match_pdq(hashes)])
    db.dispose()


def _until(commands: Any, answers: Any, hashes: list[str], want: list[bool]) -> list[bool]:
    """Ask the worker until it answers ``want`` (the refresh interval may hold it back for
    a while) or a generous bound passes; returns the last answer."""
    deadline = time.monotonic() + 60
    while True:
        commands.put(hashes)
        got = answers.get(timeout=60)
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def test_changes_reach_another_worker_process(db, database_url, monkeypatch) -> None:
    monkeypatch.setenv("SALINGJAGA_BANK_REFRESH_SECONDS", "0.5")
    a, b = _hashes(40, 8), _hashes(3, 9)
    _import(db, "shared", a)
    ctx = mp.get_context("spawn")
    commands, answers = ctx.Queue(), ctx.Queue()
    proc = ctx.Process(target=_worker, args=(database_url, commands, answers), daemon=True)
    proc.start()
    try:
        probe = [a[0], a[1], b[0]]
        assert _until(commands, answers, probe, [True, True, False]) == [True, True, False]
        _import(db, "shared", b)
        with db.session() as s:
            bank_store.remove_entries(s, bank_store.bank_by_name(s, "shared"), hashes=[a[0]])
            s.commit()
        assert _until(commands, answers, probe, [False, True, True]) == [False, True, True]
    finally:
        commands.put(None)
        proc.join(30)
        if proc.is_alive():
            proc.kill()


@pytest.mark.parametrize("role,status", [("moderator", 403), ("policy_lead", 200)])
def test_remove_api_needs_permission(client, world, role, status) -> None:
    admin = world.key("admin")
    [h] = _hashes(1, 10)
    r = client.post("/api/v1/hashbanks/perm/entries", headers=_bearer(admin), json={"entries": [{"hash": h}]})
    assert r.status_code == 200
    r = client.post("/api/v1/hashbanks/perm/entries/remove", headers=_bearer(world.key(role)),
                    json={"hashes": [h]})
    assert r.status_code == status, r.text


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_remove_api_by_id_hash_and_source_refuses_bad_input(client, world, db) -> None:
    from sqlalchemy import select

    from salingjaga.audit.models import AuditEvent

    admin = _bearer(world.key("admin"))
    hashes = _hashes(6, 11)
    md5 = "cd" * 16
    r = client.post("/api/v1/hashbanks/api/entries", headers=admin,
                    json={"entries": [{"hash": h, "label": f"#{i}"} for i, h in enumerate(hashes[:4])]})
    assert r.json()["added"] == 4
    r = client.post("/api/v1/hashbanks/api/entries", headers=admin,
                    json={"entries": [{"hash": hashes[4]}, {"hash": hashes[5]}, {"hash": md5}], "source": "feed-7"})
    assert r.json()["added"] == 3
    ids = _ids(db, hashes)
    for body, code in [({}, 422), ({"hashes": ["zz"]}, 422), ({"ids": ["x"]}, 422),
                       ({"ids": [ids[0], 999999]}, 404), ({"hashes": [_hashes(1, 99)[0]]}, 404),
                       ({"source": "nobody"}, 404), ({"ids": [1], "extra": 1}, 422)]:
        r = client.post("/api/v1/hashbanks/api/entries/remove", headers=admin, json=body)
        assert r.status_code == code, (body, r.text)
    assert client.post("/api/v1/hashbanks/none/entries/remove", headers=admin,
                       json={"ids": [ids[0]]}).status_code == 404
    assert len(_ids(db, hashes)) == 6  # nothing half removed
    r = client.post("/api/v1/hashbanks/api/entries/remove", headers=admin, json={"ids": [ids[0]]})
    assert r.status_code == 200 and r.json() == {"bank": "api", "removed": 1, "ids": [ids[0]]}
    r = client.post("/api/v1/hashbanks/api/entries/remove", headers=admin, json={"hashes": [hashes[1].upper()]})
    assert r.json()["removed"] == 1
    r = client.post("/api/v1/hashbanks/api/entries/remove", headers=admin, json={"source": "feed-7"})
    assert r.json()["removed"] == 3, r.json()
    assert _ids(db, hashes) == ids[2:4]
    banks = client.get("/api/v1/hashbanks", headers=admin).json()["banks"]
    assert [b["entries"] for b in banks if b["name"] == "api"] == [2]
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "hashbank.entries_removed")).all()
        assert len(events) == 3 and all(e.actor.startswith("user:") or e.actor for e in events)


def test_cli_removes_by_hash_and_source(db, settings) -> None:
    from typer.testing import CliRunner

    from salingjaga.cli import app

    hashes = _hashes(4, 12)
    _import(db, "cli", hashes[:2])
    _import(db, "cli", hashes[2:], source="old-feed")
    runner = CliRunner()
    url = ["--database-url", settings.database_url, "--json"]
    r = runner.invoke(app, ["hashbanks", "remove", "--bank", "cli", "--hash", hashes[0], *url])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["hashbanks", "remove", "--bank", "cli", "--source", "old-feed", *url])
    assert r.exit_code == 0, r.output
    assert _ids(db, hashes) == _ids(db, [hashes[1]])
    r = runner.invoke(app, ["hashbanks", "remove", "--bank", "cli", "--hash", hashes[0], *url])
    assert r.exit_code != 0 and "holds no pdq hash" in r.output


def test_a_database_restored_from_before_the_save_is_rebuilt(db, tmp_path) -> None:
    from sqlalchemy import delete, update

    from salingjaga.detection.models import BankState

    old, new = _hashes(10, 13), _hashes(5, 14)
    _import(db, "restored", old)
    with db.session() as s:
        assert len(bank_cache.worker_banks(s, tmp_path).index) == 10  # built and saved
    with db.session() as s:  # as a backup taken before the last five entries, restored
        s.execute(delete(HashBankEntry).where(HashBankEntry.value.in_(old[5:])))
        s.execute(update(BankState).values(version=0))
        s.commit()
    bank_cache.forget()
    _import(db, "restored", new)  # ids after the restore repeat ones the saved file holds
    with db.session() as s:
        banks = bank_cache.worker_banks(s, tmp_path).bound(s)
        assert len(banks) == 10
        assert all(banks.match_pdq([h])[0] for h in new)
        assert banks.match_pdq([old[7]]) == [[]]
