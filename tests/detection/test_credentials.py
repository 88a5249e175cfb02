"""Content Credentials count as evidence only when they validate and their signer chains
to the operator's trust list; anything else is an explained claim for a moderator.

Uses the C2PA project's own test files (../shared/conformance/c2pa, see its README) and
manifests signed here under a test root generated for the run."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest

from salingjaga.detection.base import SignalResult
from salingjaga.detection.media.c2pa import (
    INVALID,
    TRUSTED,
    UNTRUSTED,
    load_trust_anchors,
    read_credentials,
    read_store,
    trust_status,
)
from salingjaga.detection.pipeline import ScanContext, scan_item, scan_item_report
from salingjaga.detection.routing import load_config, parse_config, route
from tests.detection.helpers import CONFORMANCE, c2pa_signed_jpeg, ca_pem, picture

C2PA = CONFORMANCE / "c2pa"


def _anchors(tmp_path: Path, *roots: str) -> Path:
    path = tmp_path / "anchors.pem"
    path.write_bytes(b"".join(ca_pem(r) for r in roots))
    return path


def _item(data: bytes, caption: str = "foto hari ini") -> dict:
    return {"platform_id": "x", "kind": "image", "caption": caption,
            "media": [{"kind": "image", "data_base64": base64.b64encode(data).decode()}]}


def _of(signals: list[SignalResult], kind: str) -> list[SignalResult]:
    return [s for s in signals if s.type == kind]


def _actions(signals: list[SignalResult]) -> list[str]:
    return [a.action for a in route(signals, load_config()).actions if not a.shadow]


def test_tampered_pixels_claim_is_explained_never_labelled(tmp_path: Path) -> None:
    data = (C2PA / "ocsp_tampered_pixels.jpg").read_bytes()
    finding = read_credentials(data, "image/jpeg")
    assert finding.ai_generated and finding.status == INVALID
    assert "assertion.dataHash.mismatch" in finding.validation
    # trusting every anchor the operator has does not mend a broken hash
    signals = scan_item(_item(data), ScanContext(c2pa_trust_anchors=_anchors(tmp_path, "Test Root")))
    assert not _of(signals, "c2pa_ai")
    [claim] = _of(signals, "c2pa_ai_unverified")
    assert "do not validate" in claim.explanation and "changed after it was signed" in claim.explanation
    assert not claim.exact and claim.data["trust"] == INVALID
    assert "label_ai_generated" not in _actions(signals)
    decision = route(signals, load_config())
    assert [c.rule for c in decision.cases] == ["credentials_claim_ai_unverified"]


def test_real_signer_off_the_trust_list_is_a_claim() -> None:
    data = (C2PA / "ocsp.jpg").read_bytes()
    finding = read_credentials(data, "image/jpeg")
    assert finding.ai_generated and finding.status == UNTRUSTED
    [claim] = _of(scan_item(_item(data), ScanContext()), "c2pa_ai_unverified")
    assert "not on the trust list" in claim.explanation and "Adobe" in claim.explanation


@pytest.mark.parametrize(("name", "status"), [
    ("CA.jpg", UNTRUSTED), ("C.jpg", UNTRUSTED), ("XCA.jpg", INVALID),
    ("adobe-20220124-E-clm-CAICAI.jpg", INVALID), ("ocsp.jpg", UNTRUSTED),
    ("ocsp_tampered_pixels.jpg", INVALID),
])
def test_trust_decision_on_the_conformance_files(name: str, status: str) -> None:
    store = read_store((C2PA / name).read_bytes(), "image/jpeg")
    assert store is not None
    assert trust_status(store, anchors_configured=True) == status
    # a reader's verdict of "Trusted" counts only against anchors the operator configured
    assert trust_status({**store, "validation_state": "Trusted", "validation_results": {}},
                        anchors_configured=False) == UNTRUSTED


def test_no_manifest_and_remote_manifest_give_nothing_and_fetch_nothing() -> None:
    assert not read_credentials((C2PA / "no_manifest.jpg").read_bytes(), "image/jpeg").present
    started = time.monotonic()
    # cloud.jpg points at a manifest on the internet: never fetched on a file author's say-so
    assert not read_credentials((C2PA / "cloud.jpg").read_bytes(), "image/jpeg").present
    assert time.monotonic() - started < 5


def test_test_key_signed_ai_photo_is_not_labelled(tmp_path: Path) -> None:
    """The liar's dividend: a real photo signed with a throwaway key declaring AI."""
    data = c2pa_signed_jpeg(picture(21), "trainedAlgorithmicMedia", root="Anyone's Root")
    ctx = ScanContext(c2pa_trust_anchors=_anchors(tmp_path, "Test Root"))
    signals = scan_item(_item(data), ctx)
    assert not _of(signals, "c2pa_ai")
    [claim] = _of(signals, "c2pa_ai_unverified")
    assert "signed by a certificate not on the trust list" in claim.explanation
    assert "label_ai_generated" not in _actions(signals)


def test_signer_chaining_to_a_configured_anchor_is_evidence(tmp_path: Path) -> None:
    data = c2pa_signed_jpeg(picture(22), "trainedAlgorithmicMedia", root="Operator Root")
    assert read_credentials(data, "image/jpeg").status == UNTRUSTED  # nobody trusted yet
    anchors = load_trust_anchors(_anchors(tmp_path, "Other Root", "Operator Root"))
    assert len(anchors.subjects) == 2
    finding = read_credentials(data, "image/jpeg", anchors)
    assert finding.status == TRUSTED and finding.is_evidence
    signals = scan_item(_item(data), ScanContext(c2pa_trust_anchors=tmp_path / "anchors.pem"))
    [sig] = _of(signals, "c2pa_ai")
    assert sig.exact and sig.data["trust"] == TRUSTED
    assert _actions(signals) == ["label_ai_generated"]


def test_broken_trust_list_fails_only_the_credentials_step(tmp_path: Path) -> None:
    data = c2pa_signed_jpeg(picture(23), "trainedAlgorithmicMedia")
    item = _item(data, "Donasi kampanye caleg, transfer ke rek BCA 1234567890")
    report = scan_item_report(item, ScanContext(c2pa_trust_anchors=tmp_path / "missing.pem"))
    assert [f.where for f in report.failures] == ["credentials (media 0)"]
    assert "cannot read" in report.failures[0].error
    assert {s.type for s in report.signals} >= {"fundraising"}
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(ValueError, match="no readable PEM"):
        load_trust_anchors(garbage)


def test_routing_refuses_actions_on_unverified_claims() -> None:
    with pytest.raises(ValueError, match="only open a case"):
        parse_config({"rules": [{"name": "x", "signals": ["c2pa_ai_unverified"],
                                 "actions": ["label_ai_generated"]}]})
    wildcard = parse_config({"rules": [{"name": "any", "signals": ["*"], "min_score": 0.0,
                                        "actions": ["label_ai_generated"], "queue": True}]})
    claim = SignalResult("c2pa_ai_unverified", "synthetic_media", 0.5, "claim", key="m0")
    decision = route([claim], wildcard)
    assert decision.actions == [] and [c.rule for c in decision.cases] == ["any"]
