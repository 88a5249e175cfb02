"""PDQ against Meta's reference images: hashes agree with the reference implementations,
and a rotated or flipped copy still matches its original, saying how it was turned."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from PIL import Image

from salingjaga.detection.banks import BankEntry, BankMatcher, entry_id
from salingjaga.detection.media.orientations import ORIENTATIONS
from salingjaga.detection.media.pdq import hamming, pdq_dihedral_from_bytes, pdq_from_bytes
from tests.detection.helpers import CONFORMANCE

PDQ = CONFORMANCE / "pdq"
T = Image.Transpose
# Meta's names for the bridge orientations, as Pillow makes them (flip-x turns the image
# upside down, flip-y mirrors it left to right: checked against the reference hashes).
MAKE = {
    "original": None, "rotate-90": T.ROTATE_90, "rotate-180": T.ROTATE_180,
    "rotate-270": T.ROTATE_270, "flip-x": T.FLIP_TOP_BOTTOM, "flip-y": T.FLIP_LEFT_RIGHT,
    "flip-plus-1": T.TRANSPOSE, "flip-minus-1": T.TRANSVERSE,
}
REFERENCE_FILES = {"original": "bridge-1-original", "rotate-90": "bridge-2-rotate-90",
                   "rotate-180": "bridge-3-rotate-180", "rotate-270": "bridge-4-rotate-270",
                   "flip-x": "bridge-5-flipx", "flip-y": "bridge-6-flipy",
                   "flip-plus-1": "bridge-7-flip-plus-1", "flip-minus-1": "bridge-8-flip-minus-1"}


def _references() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in ("expected-python-reference.csv", "expected-cpp-reference.csv"):
        with (PDQ / name).open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out[Path(row["file"]).stem] = row["pdq_hex"]
    return out


REFS = _references()
EDITS = sorted(p.stem for p in (PDQ / "bridge-mods").glob("*.jpg"))


def _turned(orientation: str) -> bytes:
    image = Image.open(PDQ / "bridge-mods" / "aaa-orig.jpg").convert("RGB")
    how = MAKE[orientation]
    if how is not None:
        image = image.transpose(how)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=92)
    return buf.getvalue()


@pytest.mark.parametrize("name", EDITS)
def test_reference_images_hash_within_ten_bits(name: str) -> None:
    hash_hex, quality = pdq_from_bytes((PDQ / "bridge-mods" / f"{name}.jpg").read_bytes())
    assert quality >= 50
    assert hamming(hash_hex, REFS[name]) <= 10


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_each_orientation_hashes_like_the_reference(orientation: str) -> None:
    plain, _ = pdq_from_bytes(_turned(orientation))
    assert hamming(plain, REFS[REFERENCE_FILES[orientation]]) <= 10


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_every_orientation_matches_the_original_and_says_how(orientation: str) -> None:
    original, _ = pdq_from_bytes((PDQ / "bridge-mods" / "aaa-orig.jpg").read_bytes())
    bank = BankMatcher([BankEntry(entry_id("hoaxes", 1), "hoaxes", "remove", "misinformation", "pdq",
                                  original, "jembatan")])
    hashes, _ = pdq_dihedral_from_bytes(_turned(orientation))
    if orientation != "original":
        assert hamming(hashes[0], original) > 100  # as posted, the copy is far away
        assert bank.match_pdq([hashes[0]]) == [[]]
    [[match]] = bank.match_pdq_dihedral([hashes])
    assert match.orientation == orientation and match.distance <= 31
    assert match.query == hashes[0]


def test_overlapping_banks_each_report_their_match() -> None:
    original, _ = pdq_from_bytes((PDQ / "bridge-mods" / "aaa-orig.jpg").read_bytes())
    entries = [
        BankEntry(entry_id("removed", 1), "removed", "remove", "misinformation", "pdq", original, "a"),
        BankEntry(entry_id("watchlist", 1), "watchlist", "review", "civic_election_integrity", "pdq",
                  original, "b"),
        BankEntry(entry_id("watchlist", 2), "watchlist", "review", "misinformation", "md5", "0" * 32, "c"),
        BankEntry(entry_id("removed", 2), "removed", "remove", "misinformation", "md5", "0" * 32, "d"),
    ]
    bank = BankMatcher(entries)
    hashes, _ = pdq_dihedral_from_bytes(_turned("flip-y"))
    [matches] = bank.match_pdq_dihedral([hashes])
    assert sorted(m.entry.bank for m in matches) == ["removed", "watchlist"]
    assert {m.orientation for m in matches} == {"flip-y"}
    assert sorted(m.entry.bank for m in bank.match_md5("0" * 32)) == ["removed", "watchlist"]
