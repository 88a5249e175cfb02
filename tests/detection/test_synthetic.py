"""Content Credentials and AI labels: signals fire on AI media, not on plain media."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from salingjaga.detection.media.c2pa import analyse_store, read_credentials
from salingjaga.detection.pipeline import ScanContext, scan_item
from tests.detection.helpers import c2pa_signed_jpeg, ca_pem, encode, picture


@pytest.fixture
def trusted(tmp_path: Path) -> ScanContext:
    """A scan whose operator trusts the test root CA."""
    anchors = tmp_path / "anchors.pem"
    anchors.write_bytes(ca_pem())
    return ScanContext(c2pa_trust_anchors=anchors)


def _item(data: bytes, caption: str, ai_label: bool = False, election: str | None = None) -> dict:
    return {"platform_id": "x", "kind": "image", "caption": caption, "ai_label": ai_label,
            "election": election,
            "media": [{"kind": "image", "data_base64": base64.b64encode(data).decode()}]}


def _types(item: dict, ctx: ScanContext | None = None) -> set[str]:
    return {s.type for s in scan_item(item, ctx or ScanContext())}


def test_signed_ai_image_gives_c2pa_signal(trusted: ScanContext) -> None:
    data = c2pa_signed_jpeg(picture(1), "trainedAlgorithmicMedia")
    finding = read_credentials(data, "image/jpeg")
    assert finding.ai_generated and finding.source_type == "trainedAlgorithmicMedia"
    signals = scan_item(_item(data, "pemandangan sore"), trusted)
    [sig] = [s for s in signals if s.type == "c2pa_ai"]
    assert sig.exact and "trainedAlgorithmicMedia" in sig.explanation
    assert "unlabelled_ai_public_figure" not in {s.type for s in signals}  # no figure named


def test_ai_ingredient_is_found_through_an_edit() -> None:
    parent = c2pa_signed_jpeg(picture(2), "compositeSynthetic")
    child = c2pa_signed_jpeg(picture(3), None, ingredient=parent)
    finding = read_credentials(child, "image/jpeg")
    assert finding.ai_generated and finding.in_ingredient


def test_signed_camera_image_and_plain_image_give_no_ai_signal() -> None:
    camera = c2pa_signed_jpeg(picture(4), "digitalCapture")
    assert read_credentials(camera, "image/jpeg").present
    assert not read_credentials(camera, "image/jpeg").ai_generated
    assert "c2pa_ai" not in _types(_item(camera, "Prabowo kampanye"))
    assert "c2pa_ai" not in _types(_item(encode(picture(5), "JPEG"), "Prabowo kampanye"))


def test_unlabelled_ai_public_figure_in_election_context(trusted: ScanContext) -> None:
    data = c2pa_signed_jpeg(picture(6), "trainedAlgorithmicMedia")
    assert "unlabelled_ai_public_figure" in _types(_item(data, "Video Anies menolak hasil pemilu"), trusted)
    # labelled by the creator: the label signal instead, no unlabelled signal
    labelled = _types(_item(data, "Video Anies menolak hasil pemilu", ai_label=True), trusted)
    assert "creator_ai_label" in labelled and "unlabelled_ai_public_figure" not in labelled
    # a public figure outside an election context
    assert "unlabelled_ai_public_figure" not in _types(_item(data, "Ganjar makan bakso"), trusted)


def test_analyse_store_reads_every_iptc_ai_code() -> None:
    for code in ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "compositeSynthetic"):
        store = {"active_manifest": "m1", "manifests": {"m1": {"assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [
                {"action": "c2pa.created",
                 "digitalSourceType": f"http://cv.iptc.org/newscodes/digitalsourcetype/{code}"}]}}]}}}
        assert analyse_store(store).source_type == code
    plain = {"active_manifest": "m1", "manifests": {"m1": {"assertions": []}}}
    assert not analyse_store(plain).ai_generated
    assert not analyse_store({}).present
