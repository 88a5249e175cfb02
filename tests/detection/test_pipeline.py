"""End to end: content posted to the API is scanned, signals stored once, routed through
moderation; hash banks import; the scan command prints signals and routes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from typer.testing import CliRunner

from salingjaga.detection.media.pdq import pdq_from_bytes
from tests.conftest import bearer
from tests.detection.helpers import CONFORMANCE, c2pa_signed_jpeg, ca_pem, encode, picture


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _content(pid: str, data: bytes | None, caption: str = "lihat ini", **kw: object) -> dict:
    body = {"platform_id": pid, "kind": "image", "caption": caption,
            "account": {"platform_id": f"acc-{pid}", "handle": f"h{pid}"}, **kw}
    if data is not None:
        body["media"] = [{"kind": "image", "data_base64": _b64(data)}]
    return body


def _import_bank(client, key: str, name: str, hash_hex: str, action: str) -> None:
    r = client.post(f"/api/v1/hashbanks/{name}/entries", headers=bearer(key),
                    json={"entries": [{"hash": hash_hex, "label": "surat suara palsu"}],
                          "action": action, "policy": "civic_election_integrity"})
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1


def test_hash_match_to_removed_media_is_removed_and_explained(client, world, db) -> None:
    admin, service = world.key("admin"), world.key("service")
    original = encode(picture(11), "PNG")
    _import_bank(client, admin, "removed-hoaxes", pdq_from_bytes(original)[0], "remove")
    repost = encode(picture(11).resize((300, 225)), "JPEG", quality=25)
    r = client.post("/api/v1/content", headers=bearer(service), json=_content("p1", repost))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert client.get(f"/api/v1/content/{cid}", headers=bearer(service)).json()["status"] == "removed"
    sigs = client.get(f"/api/v1/content/{cid}/signals", headers=bearer(admin)).json()["signals"]
    [hit] = [s for s in sigs if s["type"] == "media_hash_match"]
    assert "removed-hoaxes" in hit["explanation"] and "surat suara palsu" in hit["explanation"]
    # an unrelated image is left alone
    r = client.post("/api/v1/content", headers=bearer(service), json=_content("p2", encode(picture(12))))
    other = r.json()["id"]
    assert client.get(f"/api/v1/content/{other}", headers=bearer(service)).json()["status"] == "active"


def test_review_bank_match_opens_a_case_with_signals(client, world, db) -> None:
    from salingjaga.moderation.models import Case

    admin, service = world.key("admin"), world.key("service")
    img = encode(picture(13))
    _import_bank(client, admin, "watchlist", pdq_from_bytes(img)[0], "review")
    cid = client.post("/api/v1/content", headers=bearer(service), json=_content("p3", img)).json()["id"]
    with db.session() as s:
        case = s.scalar(select(Case).where(Case.content_id == cid))
        assert case is not None and case.source == "proactive"
        assert case.signal_refs


def test_redelivery_stores_one_row_per_signal_and_no_second_case(client, world, db, settings) -> None:
    from salingjaga.detection.models import Signal
    from salingjaga.moderation.models import Case
    from salingjaga.stream.handlers import dispatch

    admin, service = world.key("admin"), world.key("service")
    img = encode(picture(14))
    _import_bank(client, admin, "watchlist", pdq_from_bytes(img)[0], "review")
    cid = client.post("/api/v1/content", headers=bearer(service),
                      json=_content("p4", img, "Donasi kampanye caleg, transfer ke rek BCA 1234567890")
                      ).json()["id"]
    with db.session() as s:
        before = s.scalar(select(func.count(Signal.id)).where(Signal.content_id == cid))
    dispatch(db, settings, "content", {"content_id": cid})
    dispatch(db, settings, "content", {"content_id": cid})
    with db.session() as s:
        assert s.scalar(select(func.count(Signal.id)).where(Signal.content_id == cid)) == before
        assert s.scalar(select(func.count(Case.id)).where(Case.content_id == cid)) == 1
    assert before >= 2


@pytest.fixture
def trusting_client(settings, tmp_path: Path):
    """The app with the test root CA configured as its C2PA trust list."""
    from fastapi.testclient import TestClient

    from salingjaga.app import create_app

    anchors = tmp_path / "c2pa-anchors.pem"
    anchors.write_bytes(ca_pem())
    with TestClient(create_app(settings.model_copy(update={"c2pa_trust_anchors": anchors}))) as c:
        yield c


def test_c2pa_ai_image_is_labelled(trusting_client, world) -> None:
    service = world.key("service")
    data = c2pa_signed_jpeg(picture(15), "trainedAlgorithmicMedia")
    cid = trusting_client.post("/api/v1/content", headers=bearer(service),
                               json=_content("p5", data)).json()["id"]
    item = trusting_client.get(f"/api/v1/content/{cid}", headers=bearer(service)).json()
    assert "ai_generated" in item["labels"]


@pytest.mark.parametrize("case", ["tampered", "untrusted"])
def test_ai_claims_that_are_not_evidence_go_to_review_unlabelled(trusting_client, world, db, case) -> None:
    from salingjaga.moderation.models import Case

    admin, service = world.key("admin"), world.key("service")
    if case == "tampered":  # signed AI image whose pixels were edited afterwards
        data = (CONFORMANCE / "c2pa" / "ocsp_tampered_pixels.jpg").read_bytes()
        why = "do not validate"
    else:  # a photo signed with a key nobody trusts, declaring AI generation
        data = c2pa_signed_jpeg(picture(17), "trainedAlgorithmicMedia", root="Throwaway Root")
        why = "not on the trust list"
    r = trusting_client.post("/api/v1/content", headers=bearer(service), json=_content(f"c-{case}", data))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    item = trusting_client.get(f"/api/v1/content/{cid}", headers=bearer(service)).json()
    assert item["labels"] == [] and item["status"] == "active"
    sigs = trusting_client.get(f"/api/v1/content/{cid}/signals", headers=bearer(admin)).json()["signals"]
    assert "c2pa_ai" not in {s["type"] for s in sigs}
    [claim] = [s for s in sigs if s["type"] == "c2pa_ai_unverified"]
    assert why in claim["explanation"] and "review by hand" in claim["explanation"]
    with db.session() as s:
        opened = s.scalar(select(Case).where(Case.content_id == cid))
        assert opened is not None and opened.policy == "synthetic_media"


def test_shadow_rule_changes_nothing(client, world, db) -> None:
    from salingjaga.audit.models import AuditEvent

    service = world.key("service")
    text = ("Surat suara di gudang KPU sudah dicoblos untuk paslon tertentu, sebarkan sebelum "
            "dihapus oleh mereka")
    client.post("/api/v1/content", headers=bearer(service), json=_content("p6", None, text, kind="text"))
    cid = client.post("/api/v1/content", headers=bearer(service),
                      json=_content("p7", None, text + "!!", kind="text")).json()["id"]
    item = client.get(f"/api/v1/content/{cid}", headers=bearer(service)).json()
    assert item["fyp_excluded"] is False and item["status"] == "active"
    with db.session() as s:
        shadow = s.scalars(select(AuditEvent).where(AuditEvent.action == "detection.shadow_action",
                                                    AuditEvent.entity_id == cid)).all()
        assert [e.data["action"] for e in shadow] == ["fyp_exclude"]


def test_signals_endpoint_needs_permission(client, world) -> None:
    service = world.key("service")
    cid = client.post("/api/v1/content", headers=bearer(service),
                      json=_content("p8", None, "halo", kind="text")).json()["id"]
    reporter = world.key("partner_reporter", world.partner())
    assert client.get(f"/api/v1/content/{cid}/signals", headers=bearer(reporter)).status_code == 403
    assert client.get("/api/v1/content/nope/signals", headers=bearer(service)).status_code == 404


def test_cli_scan_and_bank_import(tmp_path: Path, settings) -> None:
    from salingjaga.cli import app

    img = encode(picture(16))
    bank = tmp_path / "bank.csv"
    bank.write_text(f"hash,bank,label\n{pdq_from_bytes(img)[0]},hoax,foto editan\n", "utf-8")
    items = tmp_path / "items.jsonl"
    items.write_text("\n".join([
        json.dumps(_content("c1", encode(picture(16).resize((200, 150)), "JPEG", quality=30))),
        json.dumps(_content("c2", None, "Menang undian! transfer biaya admin dulu", kind="text")),
        json.dumps(_content("c3", None, "Selamat pagi semua", kind="text")),
        "{not json",
    ]) + "\n", "utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["scan", str(items), "--json", "--bank-file", str(bank)])
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert r.exit_code == 2  # the broken line is reported, the rest still scanned

    def own(line: dict) -> set[str]:  # the text classifier's signals belong to its own tests
        return {s["type"] for s in line["signals"] if s["type"] != "classifier"}

    assert own(lines[0]) == {"media_hash_match"}
    assert lines[0]["route"] == "queue"
    assert own(lines[1]) == {"scam_pattern"}
    assert own(lines[2]) == set() and lines[2]["route"] == "none"
    assert "error" in lines[3]
    r = runner.invoke(app, ["hashbanks", "import", str(bank), "--bank", "hoax", "--action", "remove",
                            "--threshold", "20", "--database-url", settings.database_url, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["added"] == 1
    r = runner.invoke(app, ["hashbanks", "import", str(bank), "--bank", "hoax",
                            "--database-url", settings.database_url, "--json"])
    assert json.loads(r.stdout)["added"] == 0


@pytest.mark.parametrize("bad", ["hash\nzzzz\n", "abc,hoax,x\n"])
def test_bad_bank_file_is_refused(bad: str) -> None:
    from salingjaga.core.errors import Invalid
    from salingjaga.detection.bank_store import parse_bank_file

    with pytest.raises(Invalid, match="line"):
        parse_bank_file(bad)


def test_two_bank_files_with_overlapping_entries_both_report(tmp_path: Path) -> None:
    from salingjaga.cli import app

    img = picture(31)
    target = pdq_from_bytes(encode(img))[0]
    others = [pdq_from_bytes(encode(picture(s)))[0] for s in (32, 33)]
    (tmp_path / "removed.csv").write_text(f"hash,bank,label\n{others[0]},x,lain\n{target},x,foto hoaks\n")
    (tmp_path / "watch.csv").write_text(f"hash,bank,label\n{target},x,pantauan\n{others[1]},x,lain\n")
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps(_content("c1", encode(img.transpose(Image.Transpose.ROTATE_90)))) + "\n")
    r = CliRunner().invoke(app, ["scan", str(items), "--json", "--bank-file", str(tmp_path / "removed.csv"),
                                 "--bank-file", str(tmp_path / "watch.csv")])
    assert r.exit_code == 0, r.output
    hits = [s for s in json.loads(r.stdout)["signals"] if s["type"] == "media_hash_match"]
    assert sorted(h["data"]["bank"] for h in hits) == ["removed", "watch"]
    assert len({h["key"] for h in hits}) == 2
    assert {h["data"]["orientation"] for h in hits} == {"rotate-90"}
    assert all("rotated 90" in h["explanation"] for h in hits)


def test_flipped_repost_of_removed_media_is_removed(client, world) -> None:
    admin, service = world.key("admin"), world.key("service")
    original = picture(34)
    _import_bank(client, admin, "removed-hoaxes", pdq_from_bytes(encode(original))[0], "remove")
    flipped = encode(original.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "JPEG", quality=60)
    cid = client.post("/api/v1/content", headers=bearer(service), json=_content("flip", flipped)).json()["id"]
    assert client.get(f"/api/v1/content/{cid}", headers=bearer(service)).json()["status"] == "removed"
    sigs = client.get(f"/api/v1/content/{cid}/signals", headers=bearer(admin)).json()["signals"]
    [hit] = [s for s in sigs if s["type"] == "media_hash_match"]
    assert hit["data"]["orientation"] == "flip-y" and "mirrored left to right" in hit["explanation"]
