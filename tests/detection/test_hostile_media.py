"""A hostile file can only fail its own step: the item keeps every other signal, and the
failure is kept as a dead letter naming the step and the reason."""

from __future__ import annotations

import base64
import random

import pytest

from salingjaga.detection.media.pdq import MediaError
from salingjaga.detection.media.video import keyframe_hashes
from salingjaga.detection.pipeline import ScanContext, scan_item_report
from tests.conftest import bearer
from tests.detection.helpers import video

CAPTION = ("Surat suara di gudang KPU sudah dicoblos untuk paslon 02, sebarkan! Donasi kampanye caleg, "
           "transfer ke rek BCA 1234567890 #pemilu2024")


def _mangled_codec_mp4() -> bytes:
    """A valid small MP4 whose sample entry names a codec that does not exist: PyAV opens
    it with no decoder (``codec_context`` None)."""
    data = video(41, frames=12, size=(96, 72))
    at = data.find(b"stsd") + 16  # stsd header (4) + version/flags (4) + count (4) + size (4)
    return data[:at] + b"zzzz" + data[at + 4:]


def _flipped(data: bytes, seed: int, flips: int = 8) -> bytes:
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _post(client, key: str, pid: str, media: bytes | None) -> str:
    body: dict = {"platform_id": pid, "kind": "video", "caption": CAPTION,
                  "account": {"platform_id": "acc-hostile", "handle": "hostile"}}
    if media is not None:
        body["media"] = [{"kind": "video", "filename": "clip.mp4", "data_base64": base64.b64encode(media).decode()}]
    r = client.post("/api/v1/content", headers=bearer(key), json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_mutated_mp4_keeps_the_other_signals_and_leaves_a_dead_letter(client, world) -> None:
    admin, service = world.key("admin"), world.key("service")
    hostile = _mangled_codec_mp4()
    assert 2000 < len(hostile) < 8000
    plain = _post(client, service, "plain", None)
    mutated = _post(client, service, "mutated", hostile)

    def seen(cid: str) -> tuple[set[str], list[str]]:
        sigs = client.get(f"/api/v1/content/{cid}/signals", headers=bearer(admin)).json()["signals"]
        item = client.get(f"/api/v1/content/{cid}", headers=bearer(service)).json()
        return {f"{s['type']}" for s in sigs}, item["labels"]

    plain_types, plain_labels = seen(plain)
    types, labels = seen(mutated)
    assert "fundraising" in plain_types and plain_labels  # what the caption alone earns
    assert types == plain_types | {"media_error"}
    assert labels == plain_labels
    letters = client.get("/api/v1/stream/dead-letters", headers=bearer(admin)).json()
    assert letters["total"] == 1
    [letter] = letters["dead_letters"]
    assert letter["payload"]["content_id"] == mutated and letter["topic"] == "content"
    assert letter["step"] == "media (media 0)" and "no decoder" in letter["error"]
    assert letter["handler"] == "salingjaga.detection.pipeline:handle_content"
    stats = client.get("/api/v1/stream/stats", headers=bearer(admin)).json()
    assert stats["dead_letters"] == 1


@pytest.mark.parametrize("seed", range(40))  # seed 38 once crashed the scan
def test_flipped_or_truncated_videos_fail_only_with_media_error(seed: int) -> None:
    data = video(41, frames=12, size=(96, 72))
    for candidate in (_flipped(data, seed), data[: len(data) * (seed % 10 + 1) // 11]):
        try:
            frames = keyframe_hashes(candidate)
        except MediaError as exc:
            assert str(exc)  # says what is wrong
        else:
            assert frames and all(len(h) == 64 for _, h, _ in frames)


def test_a_crashing_detector_costs_only_its_own_step() -> None:
    def broken_classifier(texts: list[str]) -> list[dict[str, float]]:
        raise RuntimeError("model file is corrupt")

    report = scan_item_report({"platform_id": "x", "kind": "text", "caption": CAPTION},
                              ScanContext(classify=broken_classifier))
    assert [(f.step, f.error) for f in report.failures] == [("classifier", "RuntimeError: model file is corrupt")]
    assert {s.type for s in report.signals} == {"fundraising"}


def _boom(session, payload, settings) -> None:
    raise ValueError("handler bug")


def _fine(session, payload, settings) -> None:
    from salingjaga.stream.models import StreamProbe

    session.add(StreamProbe(id=payload["probe"], handled_count=1))


def test_in_process_transport_dead_letters_a_failing_handler_and_runs_the_next(
        app, client, db, monkeypatch) -> None:
    from sqlalchemy import select

    from salingjaga.stream import handlers
    from salingjaga.stream.deadletters import list_dead_letters
    from salingjaga.stream.models import StreamProbe

    monkeypatch.setitem(handlers.HANDLERS, "probe", (handlers.Registration(f"{__name__}:_boom", _boom),
                                                      handlers.Registration(f"{__name__}:_fine", _fine)))
    app.state.stream.publish("probe", {"probe": "p-1"})
    with db.session() as s:
        [letter] = list_dead_letters(s)
        assert letter.handler == f"{__name__}:_boom" and letter.error == "ValueError: handler bug"
        assert letter.step == "" and letter.payload == {"probe": "p-1"}
        assert s.scalar(select(StreamProbe.handled_count).where(StreamProbe.id == "p-1")) == 1


def test_dead_letters_are_listed_and_replayed_from_the_command_line(client, world, settings, monkeypatch) -> None:
    import json

    from typer.testing import CliRunner

    from salingjaga.cli import app as cli

    cid = _post(client, world.key("service"), "mutated", _mangled_codec_mp4())
    monkeypatch.setenv("SALINGJAGA_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SALINGJAGA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SALINGJAGA_STREAM", "inline")
    runner = CliRunner()
    r = runner.invoke(cli, ["stream", "dead", "--json"])
    assert r.exit_code == 0, r.output
    [letter] = json.loads(r.stdout)
    assert letter["payload"] == {"content_id": cid} and letter["source"] == "database"
    r = runner.invoke(cli, ["stream", "replay"])
    assert r.exit_code == 0 and "replayed 1" in r.stdout
    # the cause is not fixed: the replayed message fails the same step again, and only that
    [again] = json.loads(runner.invoke(cli, ["stream", "dead", "--json"]).stdout)
    assert again["dead_id"] != letter["dead_id"] and again["step"] == letter["step"]
