"""vPDQ: video hashes of real encoded video, the ThreatExchange formats, the two-way
matching rule, and a bank of videos with import, export, additions and removals."""

from __future__ import annotations

import functools
import json

import pytest

from salingjaga.detection.media.pdq import MediaError
from salingjaga.detection.media.vpdq import (
    VpdqFeature,
    compare,
    from_hasher_file,
    from_signal,
    hash_video,
    parse_any,
    to_hasher_file,
    to_signal,
)
from salingjaga.detection.media.vpdq_bank import VpdqBank
from tests.detection.helpers import scene_video, transcode


@functools.cache
def _videos() -> dict[str, bytes]:
    original = scene_video(1, seconds=12)
    return {
        "original": original,
        "reencoded": transcode(original, codec="mpeg4", bitrate=250_000),
        "resized": transcode(original, size=(176, 132), codec="libx264"),
        "trimmed": transcode(original, start=4.0, end=10.0),
        "unrelated": scene_video(2, seconds=12),
    }


@functools.cache
def _hash(name: str) -> tuple[VpdqFeature, ...]:
    return tuple(hash_video(_videos()[name]))


def test_hash_samples_one_frame_a_second_with_quality_and_time() -> None:
    features = _hash("original")
    assert [f.timestamp for f in features] == [float(s) for s in range(12)]
    assert all(0 <= f.quality <= 100 and len(f.pdq_hex) == 64 for f in features)
    assert len({f.pdq_hex for f in features}) == 12  # the scenes and pans differ
    every_frame = hash_video(_videos()["original"], seconds_per_hash=0)
    assert len(every_frame) > 60  # reference frames of 12 s at 10 frames a second


@pytest.mark.parametrize("copy", ["reencoded", "resized", "trimmed"])
def test_copies_match_their_original(copy: str) -> None:
    m = compare(_hash(copy), _hash("original"))
    assert m.is_match(), m
    assert m.query_percent >= 80
    if copy == "trimmed":  # 6 of the original's 12 seconds: the clip is covered, the original half
        assert 30 <= m.compared_percent <= 70
        assert not compare(_hash("original"), _hash(copy)).is_match()  # the longer video is not in the clip
    else:
        assert m.compared_percent >= 80


def test_unrelated_video_does_not_match() -> None:
    m = compare(_hash("unrelated"), _hash("original"))
    assert not m.is_match() and m.query_percent < 20


def test_matching_rule_dedupes_and_filters_quality() -> None:
    a, b, c = "0" * 64, "f" * 64, "0" * 56 + "ffffffff"  # c is 32 bits from a: no match at 31
    query = [VpdqFeature(a, 90, 0.0), VpdqFeature(a, 90, 1.0), VpdqFeature(b, 10, 2.0)]
    compared = [VpdqFeature(a, 100, 0.0), VpdqFeature(c, 100, 1.0)]
    m = compare(query, compared)
    # query: a twice counts once, b is below quality 50: 1 of 1 matched; compared: a of (a, c)
    assert (m.query_percent, m.compared_percent) == (100.0, 50.0)
    assert compare([VpdqFeature(b, 10, 0.0)], compared).query_percent == 0.0


def test_threatexchange_signal_and_hasher_file_round_trip() -> None:
    features = list(_hash("original"))
    signal = to_signal(features)
    items = json.loads(signal)
    assert items[1] == f"{features[1].pdq_hex},{features[1].quality},1.000"
    assert [str(f) for f in from_signal(signal)] == [str(f) for f in features]
    text = to_hasher_file(features)
    assert text.splitlines()[0].split(",")[2] == features[0].pdq_hex
    assert [str(f) for f in from_hasher_file(text)] == [str(f) for f in features]
    assert parse_any(text) == from_hasher_file(text) and parse_any(signal) == from_signal(signal)
    for bad in ('["zz,1,0.0"]', '["' + "0" * 64 + ',101,0.0"]', '{"a": 1}', "[1]"):
        with pytest.raises(ValueError):
            from_signal(bad)
    with pytest.raises(ValueError, match="line 2"):
        from_hasher_file(f"0,100,{'0' * 64},0.000\nnot a line\n")


def test_bank_matches_copies_and_takes_changes() -> None:
    bank = VpdqBank()
    bank.add("v-original", _hash("original"), "removed video")
    bank.add("v-other", _hash("unrelated"))
    hits = bank.match(_hash("trimmed"))
    assert [(v.video_id, m.is_match()) for v, m in hits] == [("v-original", True)]
    assert hits[0][1] == compare(_hash("trimmed"), _hash("original"))  # same rule as a pair
    assert bank.match(_hash("resized"))[0][0].label == "removed video"
    # export and import keep every video; a removed video no longer matches
    copy = VpdqBank()
    assert copy.import_jsonl(bank.export_jsonl()) == 2
    assert [v.video_id for v, _ in copy.match(_hash("reencoded"))] == ["v-original"]
    assert copy.remove("v-original") and not copy.remove("v-original")
    assert copy.match(_hash("reencoded")) == []
    with pytest.raises(ValueError, match="line 2"):
        copy.import_jsonl('{"id": "a", "signal": "[]"}\n{"signal": "[]"}\n')
    assert len(copy) == 1  # nothing from the bad file was added


def test_not_a_video_is_a_media_error() -> None:
    with pytest.raises(MediaError):
        hash_video(b"not a video at all")


def test_cli_hashes_banks_and_matches(tmp_path) -> None:
    from typer.testing import CliRunner

    from salingjaga.cli import app

    runner = CliRunner()
    for name in ("original", "trimmed", "unrelated"):
        (tmp_path / f"{name}.mp4").write_bytes(_videos()[name])
    r = runner.invoke(app, ["vpdq", "hash", str(tmp_path / "original.mp4"), "--format", "hasher"])
    assert r.exit_code == 0, r.output
    (tmp_path / "original.txt").write_text(r.output)
    assert [str(f) for f in from_hasher_file(r.output)] == [str(f) for f in _hash("original")]
    bank = tmp_path / "bank.jsonl"
    # banked from the hash file alone (no video needed)
    r = runner.invoke(app, ["vpdq", "bank-add", str(bank), str(tmp_path / "original.txt"),
                            "--id", "removed-1", "--label", "hoax"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["vpdq", "match", str(tmp_path / "trimmed.mp4"), "--bank", str(bank), "--json"])
    assert r.exit_code == 0, r.output
    [hit] = json.loads(r.output)["matches"]
    assert hit["id"] == "removed-1" and hit["match"] and hit["query_percent"] >= 80
    r = runner.invoke(app, ["vpdq", "match", str(tmp_path / "unrelated.mp4"), "--bank", str(bank)])
    assert r.exit_code == 3
    (tmp_path / "bad.json").write_text("[1]")
    r = runner.invoke(app, ["vpdq", "match", str(tmp_path / "bad.json"), "--bank", str(bank)])
    assert r.exit_code == 1 and "vPDQ signal" in r.output
