"""Text burned into images and video frames: read by Tesseract, matched to fact-checks,
cached by file hash, re-read only when the caption changes, and an "OCR unavailable"
signal when Tesseract is not installed."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from salingjaga.detection.media.ocr import OcrEngine, default_engine
from salingjaga.detection.media.screen_text import (
    MemoryOcrCache,
    ScreenReader,
    read_frames,
    same_text,
    signature,
)
from salingjaga.detection.pipeline import ScanContext, scan_item
from salingjaga.detection.text.matcher import ClaimMatcher, FactCheckEntry
from tests.detection.text_media import captioned_video, jpeg, text_picture

FACTCHECKS = [
    FactCheckEntry("fc-ballots", "[SALAH] Surat suara sudah dicoblos untuk paslon nomor 2 di gudang KPU Sidoarjo",
                   "false"),
    FactCheckEntry("fc-bansos", "[HOAKS] Pendaftaran bansos Rp 3 juta lewat tautan WhatsApp dari Kemensos", "false"),
    FactCheckEntry("fc-flood", "[SALAH] Video banjir setinggi 5 meter merendam kota Semarang hari ini", "false"),
]


class CountingEngine(OcrEngine):
    """The real engine, counting how many pictures it was asked to read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def read(self, image):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().read(image)


def _item(data: bytes, kind: str = "image", caption: str = "lihat ini") -> dict:
    return {"caption": caption, "media": [{"kind": kind, "data_base64": base64.b64encode(data).decode()}]}


def _context(engine: OcrEngine | None = None) -> ScanContext:
    return ScanContext(claim_matcher=ClaimMatcher(FACTCHECKS),
                       screen_reader=ScreenReader(engine or default_engine(), MemoryOcrCache()))


def test_a_hoax_in_an_image_is_matched_to_its_fact_check_with_the_words_marked() -> None:
    poster = jpeg(text_picture("VIRAL!! Surat suara sudah dicoblos untuk paslon nomor 2 di gudang KPU "
                               "Sidoarjo. Sebarkan!"), quality=70)
    signals = {s.type: s for s in scan_item(_item(poster), _context())}
    claim = signals["claim_match"]
    assert claim.key == "fc-ballots" and claim.score >= 0.75
    assert {"coblos", "gudang", "sidoarjo"} <= set(claim.data["matched_words"])
    shown = signals["on_screen_text"]
    assert shown.score == 0.0 and "gudang KPU" in shown.data["text"].replace("\n", " ")
    marked = {piece.lower() for piece, hit in shown.data["marked"] if hit}
    assert {"dicoblos", "gudang", "sidoarjo"} <= marked and "viral" not in marked
    assert "".join(piece for piece, _ in shown.data["marked"]) == shown.data["text"]
    # the caption alone ("lihat ini") matches nothing: the match came from the picture
    assert "claim_match" not in {s.type for s in scan_item({"caption": "lihat ini"}, _context())}


def test_a_video_whose_frames_carry_the_claim_is_matched_and_each_caption_read_once() -> None:
    video = captioned_video([None, "Pendaftaran bansos Rp 3 juta lewat tautan WhatsApp",
                             "Pendaftaran bansos Rp 3 juta lewat tautan WhatsApp", "Kemensos resmi"])
    engine = CountingEngine()
    signals = {s.type: s for s in scan_item(_item(video, "video", ""), _context(engine))}
    assert signals["claim_match"].key == "fc-bansos"
    frames = signals["on_screen_text"].data["frames"]
    assert [seconds for seconds, _ in frames] == [2.0, 6.0]  # when each caption appears
    assert "bansos" in frames[0][1] and "Kemensos" in frames[1][1]
    # eight keyframes, three distinct pictures (none, the claim, the second caption)
    assert engine.reads == 3


def test_a_changed_caption_is_a_changed_text_region_and_a_drifting_background_is_not() -> None:
    a = text_picture("Surat suara dicoblos", paper=(60, 60, 90))
    assert same_text(signature(a), signature(text_picture("Surat suara dicoblos", paper=(90, 90, 120))))
    assert not same_text(signature(a), signature(text_picture("Banjir Semarang 5 meter", paper=(60, 60, 90))))
    assert not same_text(signature(a), signature(text_picture("", paper=(60, 60, 90))))
    frames = [(0.0, a), (1.0, a), (2.0, text_picture("Banjir Semarang", paper=(60, 60, 90)))]
    texts, reads = read_frames(frames, default_engine())
    assert reads == 2 and [t.seconds for t in texts] == [0.0, 2.0]


def test_ocr_is_cached_by_media_hash_in_the_detection_table(db) -> None:
    from salingjaga.detection.models import OcrText
    from salingjaga.detection.ocr_store import DatabaseOcrCache

    poster = jpeg(text_picture("Video banjir setinggi 5 meter merendam kota Semarang"))
    first = CountingEngine()
    with db.session() as s:
        cache = DatabaseOcrCache(s, MemoryOcrCache())
        read = ScreenReader(first, cache).read(poster, "image/jpeg")
        s.commit()
    assert first.reads == 1 and "Semarang" in read[0].text
    again = CountingEngine()
    with db.session() as s:  # another worker: an empty memory cache, the same table
        assert ScreenReader(again, DatabaseOcrCache(s, MemoryOcrCache())).read(poster, "image/jpeg") == read
        assert s.scalar(select(func.count()).select_from(OcrText)) == 1
    assert again.reads == 0


def _scan_without(tmp_path: Path, env: dict[str, str], prelude: str = "") -> list[dict]:
    poster = jpeg(text_picture("Surat suara sudah dicoblos untuk paslon nomor 2"))
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"platform_id": "p1", "kind": "image", "caption": "lihat",
                                 "account": {"platform_id": "a1", "handle": "a1"},
                                 **_item(poster)}) + "\n", "utf-8")
    code = (f"import sys\n{prelude}\nsys.argv = ['salingjaga', 'scan', {str(items)!r}, '--json']\n"
            "from salingjaga.cli import app\napp()\n")
    src = str(Path(__file__).resolve().parents[2] / "src")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": src, **env})
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_without_the_language_data_the_item_gets_ocr_unavailable_not_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "no-tessdata"
    empty.mkdir()
    [line] = _scan_without(tmp_path, {"SALINGJAGA_TESSDATA": str(empty)})
    [signal] = [s for s in line["signals"] if s["type"] == "ocr_unavailable"]
    assert signal["explanation"].startswith("OCR unavailable: the text in media 0 was not read")
    assert "tesseract-ocr-ind" in signal["explanation"] and signal["score"] == 0.0
    assert not any(s["type"] in ("on_screen_text", "claim_match") for s in line["signals"])


def test_without_tesseract_itself_the_item_gets_ocr_unavailable(tmp_path: Path) -> None:
    [line] = _scan_without(tmp_path, {}, prelude="sys.modules['tesserocr'] = None  # not installed")
    [signal] = [s for s in line["signals"] if s["type"] == "ocr_unavailable"]
    assert "tesserocr cannot be loaded" in signal["explanation"]
