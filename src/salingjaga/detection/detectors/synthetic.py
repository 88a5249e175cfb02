"""Synthetic media: the creator's AI label, Content Credentials (C2PA) that declare AI
generation, and unlabelled AI media naming a public figure in an election context."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from salingjaga.detection.base import MediaBlob, SignalResult
from salingjaga.detection.detectors.base import ItemScan, ScanContext
from salingjaga.detection.media.c2pa import (
    NO_ANCHORS,
    SUPPORTED_MIME,
    CredentialFinding,
    TrustAnchors,
    load_trust_anchors,
    read_credentials,
)
from salingjaga.detection.media.synthetic import election_terms_in, public_figures_in
from salingjaga.detection.signals import SignalType


def _credentials(blob: MediaBlob, mime: str, ctx: ScanContext) -> CredentialFinding:
    anchors: TrustAnchors = (load_trust_anchors(ctx.c2pa_trust_anchors)
                             if ctx.c2pa_trust_anchors is not None else NO_ANCHORS)
    return read_credentials(blob.data, mime, anchors)


def _credential_facts(blob: MediaBlob, finding: CredentialFinding) -> dict[str, Any]:
    return {"media_index": blob.index, "source_type": finding.source_type,
            "in_ingredient": finding.in_ingredient, "generator": finding.generator,
            "signer": finding.signer, "signer_name": finding.signer_name,
            "validation": finding.validation, "trust": finding.status,
            "reason": finding.reason()}


def read_ai_declarations(scan: ItemScan, ctx: ScanContext) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The first AI declaration in the item's credentials that is evidence, and the ones
    before it that are claims only; each file is read in a step of its own."""
    ai: dict[str, Any] = {}
    claims: list[dict[str, Any]] = []
    for blob, mime in scan.blobs:
        if mime not in SUPPORTED_MIME or ai:
            continue
        finding = scan.report.attempt("credentials", partial(_credentials, blob, mime, ctx), blob.index)
        if finding is not None and finding.ai_generated:
            if finding.is_evidence:
                ai = _credential_facts(blob, finding)
            else:
                claims.append(_credential_facts(blob, finding))
    return ai, claims


def _unverified_claim(claim: dict[str, Any], labelled: bool) -> SignalResult:
    """An AI declaration in credentials that are not evidence: for a moderator to weigh,
    never an automatic label (a test key or an edited file can say anything)."""
    by = f" by {claim['generator']}" if claim.get("generator") else ""
    where = "an ingredient" if claim.get("in_ingredient") else "the manifest"
    return SignalResult(
        SignalType.C2PA_AI_UNVERIFIED, "synthetic_media", 0.5,
        f"Content Credentials claim AI generation ({where} declares {claim['source_type']}{by}) "
        f"but {claim['reason']}: a claim, not evidence; review by hand, 0.50",
        key=f"m{claim['media_index']}", exact=False,
        data={**claim, "creator_labelled": labelled})


def synthetic_signals(item: dict[str, Any], text: str, ai: dict[str, Any], scores: dict[str, float],
                      claims: Sequence[dict[str, Any]] = ()) -> list[SignalResult]:
    """The synthetic-media signals from the creator's label and what credentials declared."""
    labelled = bool(item.get("ai_label") or item.get("creator_ai_label"))
    out: list[SignalResult] = []
    if labelled:
        out.append(SignalResult(SignalType.CREATOR_AI_LABEL, "synthetic_media", 1.0,
                                "the creator labelled this content as AI-generated, 1.00",
                                key="creator", data={"creator_labelled": True}))
    out.extend(_unverified_claim(c, labelled) for c in claims)
    if not ai:
        return out
    where = "an ingredient's" if ai.get("in_ingredient") else "the active"
    out.append(SignalResult(
        SignalType.C2PA_AI, "synthetic_media", 1.0,
        f"Content Credentials: {where} manifest declares {ai['source_type']}"
        f"{' by ' + ai['generator'] if ai.get('generator') else ''}, 1.00",
        key=f"m{ai['media_index']}", exact=True,
        data={**ai, "creator_labelled": labelled}))
    if labelled:
        return out
    figures = public_figures_in(text)
    election = (bool(item.get("election")) or election_terms_in(text)
                or scores.get("election_related", 0.0) >= 0.5)
    if figures and election:
        out.append(SignalResult(
            SignalType.UNLABELLED_AI_PUBLIC_FIGURE, "synthetic_media", 0.9,
            f"unlabelled AI-generated media naming {', '.join(figures)} in an election "
            "context, 0.90",
            key="figures", data={"figures": figures, "media_index": ai["media_index"]}))
    return out


class Synthetic:
    """AI-generated media: declared by the creator, or by Content Credentials (evidence only
    when they validate and chain to the operator's trust list)."""

    name = "synthetic"
    step = "synthetic"
    signal_types = frozenset({SignalType.CREATOR_AI_LABEL, SignalType.C2PA_AI,
                              SignalType.C2PA_AI_UNVERIFIED, SignalType.UNLABELLED_AI_PUBLIC_FIGURE})

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """Nothing to do for the whole batch."""
        return None

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """Reads the credentials of the files the media detector read, then decides."""
        item = scan.item
        if not (item.get("media") or item.get("ai_label") or item.get("creator_ai_label")):
            return []
        ai, claims = read_ai_declarations(scan, ctx)
        return synthetic_signals(item, scan.text, ai, scan.scores, claims)
