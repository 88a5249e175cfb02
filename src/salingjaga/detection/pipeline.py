"""The detection pipeline: every signal for an item, then routing.

``scan_item``/``scan_batch`` are pure over an item dict and a ``ScanContext`` (no
database), so ``salingjaga scan`` and the worker run the same detectors. ``handle_content``
and ``handle_factcheck`` are the stream handlers: they store signals idempotently, route,
and act through the moderation service.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from salingjaga.detection.banks import BankMatch, BankMatcher
from salingjaga.detection.base import MediaBlob, PriorItem, SignalResult, describe_verdict
from salingjaga.detection.behaviour import neardup
from salingjaga.detection.behaviour.coordination import BurstRule, find_burst
from salingjaga.detection.behaviour.scam import match_patterns
from salingjaga.detection.history import History
from salingjaga.detection.media.c2pa import NO_ANCHORS, CredentialFinding, TrustAnchors
from salingjaga.detection.media.orientations import DESCRIPTIONS
from salingjaga.detection.media.pdq import MediaError
from salingjaga.detection.media.synthetic import election_terms_in, public_figures_in
from salingjaga.detection.routing import RouteDecision, RoutingConfig, route
from salingjaga.settings import Settings
from salingjaga.timeutil import as_utc, utcnow

log = logging.getLogger("salingjaga.detection")
T = TypeVar("T")
HANDLER = "salingjaga.detection.pipeline:handle_content"

CLASSIFIER_LABELS = {
    "election_related": "civic_election_integrity",
    "election_misinformation": "misinformation",
    "civic_integrity": "civic_election_integrity",
    "hate_sara": "hate_speech_sara",
}
CLASSIFIER_FLOOR = 0.5  # classifier scores below this are not stored as signals
CLAIM_FLOOR = 0.6
CLAIM_K = 3
NEARDUP_LOOKBACK = timedelta(days=30)
PDQ_REPOST_BITS = 15  # pdq bands guarantee finding reposts within 15 bits
MIN_PDQ_QUALITY = 50  # below this PDQ is unreliable (flat images): not matched


def _lazy(modules: Sequence[str], name: str) -> Any:
    """The first ``name`` found in ``modules``; None while that domain is absent."""
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        found = getattr(module, name, None)
        if found is not None:
            return found
    return None


_TEXT_MODULES = ("salingjaga.detection.text", "salingjaga.detection.text.classifier",
                 "salingjaga.detection.text.classify", "salingjaga.detection.text.matcher",
                 "salingjaga.detection.text.claims")


def default_classifier() -> Callable[[list[str]], list[dict[str, float]]] | None:
    """The text engineer's ``classify`` if it is installed."""
    fn: Callable[[list[str]], list[dict[str, float]]] | None = _lazy(_TEXT_MODULES, "classify")
    return fn


@dataclass
class ScanContext:
    """What a scan may consult. Every part is optional: absent parts mean no such signal."""

    banks: BankMatcher | None = None
    history: History | None = None
    claim_matcher: Any = None  # has .match(texts, k) -> list[list[ClaimMatch]]
    classify: Callable[[list[str]], list[dict[str, float]]] | None = None
    data_dir: Path | None = None
    burst: BurstRule = field(default_factory=BurstRule)
    neardup_bits: int = neardup.NEAR_BITS
    routing: RoutingConfig | None = None
    # the operator's C2PA trust list (a PEM path, read when credentials are checked, so a
    # broken path fails that step alone); None: no signer is trusted
    c2pa_trust_anchors: Path | None = None


@dataclass(frozen=True)
class DetectorFailure:
    """A detector step that failed on one item: which, on which media file, and why."""

    step: str  # "classifier", "claims", "patterns", "media", "credentials", "behaviour", ...
    error: str
    media_index: int | None = None

    @property
    def where(self) -> str:
        """The step, with the media file it was reading."""
        return self.step if self.media_index is None else f"{self.step} (media {self.media_index})"


@dataclass
class ScanReport:
    """Everything a scan found about one item, and the steps that failed on it."""

    signals: list[SignalResult] = field(default_factory=list)
    failures: list[DetectorFailure] = field(default_factory=list)

    def attempt(self, step: str, fn: Callable[[], T], media_index: int | None = None) -> T | None:
        """Run one detector step; a failure is recorded and the other steps go on.

        A database error is raised instead: the session may be unusable and the cause is
        not the item, so the whole message is retried (or dead-lettered) by the stream.
        """
        try:
            return fn()
        except SQLAlchemyError:
            raise
        except Exception as exc:
            # a MediaError already says what is wrong with the file in words
            error = (str(exc) if isinstance(exc, MediaError) else f"{type(exc).__name__}: {exc}")[:1000]
            log.warning("detector step failed", extra={"step": step, "media_index": media_index,
                                                       "error": error})
            self.failures.append(DetectorFailure(step, error, media_index))
            return None


# ------------------------------------------------------------------------------ media


def _media_blobs(item: dict[str, Any], data_dir: Path | None) -> tuple[list[MediaBlob], list[SignalResult]]:
    blobs: list[MediaBlob] = []
    errors: list[SignalResult] = []
    for i, m in enumerate(item.get("media") or []):
        data: bytes | None = m.get("data")
        try:
            if data is None and m.get("data_base64"):
                data = base64.b64decode(m["data_base64"], validate=True)
            elif data is None and m.get("path") and data_dir is not None:
                path = (data_dir / m["path"]).resolve()
                if data_dir.resolve() not in path.parents:
                    raise MediaError("media path outside the data directory")
                data = path.read_bytes()
        except (binascii.Error, ValueError, OSError) as exc:
            errors.append(_media_error(i, str(exc)))
            continue
        if data is None:
            continue  # a reference only (URL): nothing to hash here
        blobs.append(MediaBlob(m.get("kind", "image"), m.get("mime"), data, m.get("md5"), i))
    return blobs, errors


def _media_error(index: int, message: str) -> SignalResult:
    return SignalResult("media_error", "synthetic_media", 0.0,
                        f"media {index} could not be scanned: {message}", key=f"m{index}",
                        data={"media_index": index, "error": message[:300]})


def _sniff(blob: MediaBlob) -> str:
    """The type the bytes are (never the declared one: a hostile file may claim anything)."""
    from salingjaga.content.media import sniff_mime

    return sniff_mime(blob.data) or ""


def _signal_key(entry_id: str) -> str:
    # the signal table's key holds 120 characters; a long bank name is hashed to fit
    if len(entry_id) <= 120:
        return entry_id
    import hashlib

    return "h:" + hashlib.sha256(entry_id.encode("utf-8")).hexdigest()[:40]


def _bank_signal(match: BankMatch, media_index: int, where: str) -> SignalResult:
    e = match.entry
    kind = "md5_match" if e.kind == "md5" else "media_hash_match"
    turned = ""
    if e.kind == "md5":
        score, how = 1.0, "identical file (MD5)"
    else:
        score = round(max(0.0, 1.0 - match.distance / 64), 3)
        how = f"PDQ distance {match.distance}/{e.threshold}"
        if match.orientation != "original":
            turned = f", a copy {DESCRIPTIONS[match.orientation]}"
    label = f": '{e.label}'" if e.label else ""
    return SignalResult(
        kind, e.policy, score,
        f"{where} matches hash bank '{e.bank}'{label} ({how}{turned}), {score:.2f}",
        key=_signal_key(e.entry_id),
        exact=True,
        data={"bank": e.bank, "bank_action": e.bank_action, "entry_id": e.entry_id,
              "distance": match.distance, "threshold": e.threshold, "label": e.label,
              "media_index": media_index, "hash": match.query, "orientation": match.orientation},
    )


def _frame_hashes(blob: MediaBlob, mime: str) -> list[tuple[str, list[str]]]:
    """(where, the eight orientation hashes) of an image, or of a video's keyframes, that
    are good enough to match (PDQ quality)."""
    from salingjaga.detection.media.pdq import pdq_dihedral_from_bytes
    from salingjaga.detection.media.video import keyframe_dihedral_hashes

    frames: list[tuple[str, list[str]]] = []
    if mime.startswith("image/"):
        hashes, quality = pdq_dihedral_from_bytes(blob.data)
        if quality >= MIN_PDQ_QUALITY:
            frames.append((f"image {blob.index}", hashes))
    elif mime.startswith("video/"):
        for seconds, hashes, quality in keyframe_dihedral_hashes(blob.data):
            if quality >= MIN_PDQ_QUALITY:
                frames.append((f"video {blob.index} keyframe at {seconds:.1f}s", hashes))
    return frames


def _media_hashes(report: ScanReport, blob: MediaBlob, mime: str) -> list[tuple[str, list[str]]]:
    """The frame hashes of one file; a file that cannot be read safely gives a media_error
    signal for the moderator and a failed step for the operator."""

    def read() -> list[tuple[str, list[str]]]:
        if not mime:
            raise MediaError("the file's type is not recognised from its bytes")
        return _frame_hashes(blob, mime)

    before = len(report.failures)
    frames = report.attempt("media", read, blob.index)
    if len(report.failures) > before:
        report.signals.append(_media_error(blob.index, report.failures[-1].error))
    return frames or []


def _bank_signals(frames: list[tuple[str, list[str]]], blob: MediaBlob, banks: BankMatcher) -> list[SignalResult]:
    """One signal per matching bank entry (every bank that matches), at its best frame."""
    best: dict[str, SignalResult] = {}
    for (where, _), matches in zip(frames, banks.match_pdq_dihedral([h for _, h in frames]), strict=True):
        for m in matches:
            sig = _bank_signal(m, blob.index, where)
            if m.entry.entry_id not in best or sig.score > best[m.entry.entry_id].score:
                best[m.entry.entry_id] = sig
    return list(best.values())


def _credentials(blob: MediaBlob, mime: str, ctx: ScanContext) -> CredentialFinding:
    from salingjaga.detection.media.c2pa import load_trust_anchors, read_credentials

    anchors: TrustAnchors = (load_trust_anchors(ctx.c2pa_trust_anchors)
                             if ctx.c2pa_trust_anchors is not None else NO_ANCHORS)
    return read_credentials(blob.data, mime, anchors)


def _credential_facts(blob: MediaBlob, finding: CredentialFinding) -> dict[str, Any]:
    return {"media_index": blob.index, "source_type": finding.source_type,
            "in_ingredient": finding.in_ingredient, "generator": finding.generator,
            "signer": finding.signer, "signer_name": finding.signer_name,
            "validation": finding.validation, "trust": finding.status,
            "reason": finding.reason()}


def _scan_media(item: dict[str, Any], ctx: ScanContext, report: ScanReport
                ) -> tuple[list[str], dict[str, Any], list[dict[str, Any]]]:
    """Media signals into ``report``; returns the item's plain PDQ hashes (for reposts),
    the first AI declaration that is evidence, and the AI claims that are not."""
    import hashlib

    from salingjaga.detection.media.c2pa import SUPPORTED_MIME

    blobs, errors = _media_blobs(item, ctx.data_dir)
    report.signals.extend(errors)
    hashes: list[str] = []
    ai: dict[str, Any] = {}
    claims: list[dict[str, Any]] = []
    for blob in blobs:
        mime = _sniff(blob)
        md5 = blob.md5 or hashlib.md5(blob.data, usedforsecurity=False).hexdigest()
        banks = ctx.banks
        if banks is not None:
            for m in banks.match_md5(md5):
                report.signals.append(_bank_signal(m, blob.index, f"media {blob.index}"))
        frames = _media_hashes(report, blob, mime)
        if frames and banks is not None:
            found = report.attempt("hash_banks", partial(_bank_signals, frames, blob, banks), blob.index)
            report.signals.extend(found or [])
        hashes.extend(h[0] for _, h in frames)
        if mime in SUPPORTED_MIME and not ai:
            finding = report.attempt("credentials", partial(_credentials, blob, mime, ctx), blob.index)
            if finding is not None and finding.ai_generated:
                if finding.is_evidence:
                    ai = _credential_facts(blob, finding)
                else:
                    claims.append(_credential_facts(blob, finding))
    return hashes, ai, claims


# ------------------------------------------------------------------------------ behaviour


def _simhashes(texts: Sequence[str]) -> list[int | None]:
    return [neardup.simhash(t) for t in texts]


def _behaviour(item: dict[str, Any], text_hash: int | None, media_hashes: list[str],
               ctx: ScanContext) -> list[SignalResult]:
    if ctx.history is None:
        return []
    content_id = str(item.get("id") or item.get("platform_id") or "")
    account_id = str(item.get("account_id") or (item.get("account") or {}).get("platform_id") or "")
    posted_at = _posted_at(item)
    since = posted_at - NEARDUP_LOOKBACK
    bands: list[tuple[str, str]] = []
    near: dict[str, PriorItem] = {}
    if text_hash is not None:
        value = f"{text_hash:016x}"
        tb = neardup.bands(text_hash)
        bands.extend((b, value) for b in tb)
        for s in ctx.history.near(tb, since, content_id):
            d = neardup.distance(text_hash, int(s.value, 16))
            if d <= ctx.neardup_bits and (s.content_id not in near or d < near[s.content_id].distance):
                near[s.content_id] = PriorItem(s.content_id, s.account_id, s.posted_at, d, "text")
    from salingjaga.detection.media.pdq import hamming

    for h in media_hashes[:4]:
        pb = neardup.pdq_bands(h)
        bands.extend((b, h) for b in pb)
        for s in ctx.history.near(pb, since, content_id):
            d = hamming(h, s.value)
            if d <= PDQ_REPOST_BITS and s.content_id not in near:
                near[s.content_id] = PriorItem(s.content_id, s.account_id, s.posted_at, d, "media")
    ctx.history.remember(content_id, account_id, posted_at, bands)
    signals: list[SignalResult] = []
    earlier_other = [p for p in near.values() if p.posted_at <= posted_at and p.account_id != account_id]
    if earlier_other:
        first = min(earlier_other, key=lambda p: p.posted_at)
        score = round(min(1.0, 0.8 + 0.05 * len(earlier_other)), 3)
        signals.append(SignalResult(
            "near_duplicate", "unoriginal_content", score,
            f"near-identical {first.via} to {len(earlier_other)} earlier item(s) by other "
            f"accounts, first {first.content_id}, {score:.2f}",
            key="repost",
            data={"earlier": [p.content_id for p in sorted(earlier_other, key=lambda p: p.posted_at)][:20],
                  "first": first.content_id, "distance": first.distance, "via": first.via},
        ))
    burst = find_burst(account_id, content_id, posted_at, list(near.values()), ctx.burst)
    if burst is not None:
        minutes = (burst.last - burst.first).total_seconds() / 60
        score = round(min(1.0, 0.6 + 0.05 * (len(burst.accounts) - ctx.burst.min_accounts)), 3)
        signals.append(SignalResult(
            "coordinated_burst", "covert_influence", score,
            f"{len(burst.accounts)} accounts posted near-identical content within "
            f"{minutes:.0f} minutes, {score:.2f}",
            key="burst",
            data={"accounts": list(burst.accounts), "content_ids": list(burst.content_ids)[:200],
                  "first": burst.first.isoformat(), "last": burst.last.isoformat(),
                  "window_minutes": ctx.burst.window_minutes},
        ))
    return signals


def _posted_at(item: dict[str, Any]) -> datetime:
    value = item.get("posted_at")
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, str) and value:
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return utcnow()


# ------------------------------------------------------------------------------ scanning


def text_of(item: dict[str, Any]) -> str:
    """Every text of an item in one string (the same as ContentItem.text_for_detection)."""
    tags = " ".join("#" + str(t).lstrip("#") for t in item.get("hashtags") or [])
    parts = [item.get("caption") or "", item.get("on_screen_text") or "",
             item.get("transcript") or "", tags]
    return "\n".join(p for p in parts if p)


def _claim_signal(match: Any) -> SignalResult:
    fid = str(getattr(match, "factcheck_id", ""))
    score = float(getattr(match, "score", 0.0))
    claim = str(getattr(match, "claim", ""))[:200]
    verdict = str(getattr(match, "verdict", "") or "")
    shown = describe_verdict(verdict, str(getattr(match, "rating", "") or "")) if verdict else ""
    return SignalResult(
        "claim_match", "misinformation", score,
        f"matches fact-check {fid}: '{claim}' ({shown or 'no verdict yet'}), {score:.2f}",
        key=fid,
        data={"factcheck_id": fid, "claim": claim, "verdict": verdict.lower(),
              "explanation": str(getattr(match, "explanation", "") or "")[:500]},
    )


def scan_batch_reports(items: Sequence[dict[str, Any]], ctx: ScanContext) -> list[ScanReport]:
    """Signals for many items, and the detector steps that failed on each.

    Text models run once over the whole batch. Every step runs on its own: a crash in one
    (a hostile video, a broken model) costs that step's signals only, and is reported so
    it can be dead-lettered; the item keeps every signal the other steps found.
    """
    reports = [ScanReport() for _ in items]
    texts = [text_of(it) for it in items]

    def batch_step(step: str, fn: Callable[[], list[T]], empty: T) -> list[T]:
        probe = ScanReport()
        result = probe.attempt(step, fn)
        if result is not None and len(result) == len(items):
            return result
        failure = probe.failures[0] if probe.failures else DetectorFailure(
            step, f"returned {len(result or [])} results for {len(items)} items")
        for r in reports:
            r.failures.append(failure)
        return [empty for _ in items]

    classify, matcher = ctx.classify, ctx.claim_matcher
    no_scores: dict[str, float] = {}
    scores: list[dict[str, float]] = (batch_step("classifier", lambda: classify(texts), no_scores)
                                      if classify is not None else [no_scores for _ in items])
    no_claims: list[Any] = []
    claims: list[list[Any]] = (batch_step("claims", lambda: matcher.match(texts, CLAIM_K), no_claims)
                               if matcher is not None else [no_claims for _ in items])
    fingerprints: list[int | None] = [None] * len(items)
    if ctx.history is not None:
        fingerprints = batch_step("behaviour", lambda: _simhashes(texts), None)
    for i, item in enumerate(items):
        report, text, item_scores = reports[i], texts[i], scores[i] or {}
        for label, score in item_scores.items():
            if label in CLASSIFIER_LABELS and score >= CLASSIFIER_FLOOR:
                report.signals.append(SignalResult(
                    "classifier", CLASSIFIER_LABELS[label], float(score),
                    f"text classifier: {label.replace('_', ' ')}, {score:.2f}",
                    key=label, data={"label": label}))
        for m in claims[i] or []:
            if float(getattr(m, "score", 0.0)) >= CLAIM_FLOOR:
                report.signals.append(_claim_signal(m))
        report.signals.extend(report.attempt("patterns", partial(_pattern_signals, text)) or [])
        media_hashes: list[str] = []
        ai: dict[str, Any] = {}
        ai_claims: list[dict[str, Any]] = []
        if item.get("media"):
            found = report.attempt("media", partial(_scan_media, item, ctx, report))
            if found is not None:
                media_hashes, ai, ai_claims = found
        if item.get("media") or item.get("ai_label") or item.get("creator_ai_label"):
            report.signals.extend(report.attempt(
                "synthetic", partial(_synthetic, item, text, ai, item_scores, ai_claims)) or [])
        report.signals.extend(report.attempt(
            "behaviour", partial(_behaviour, item, fingerprints[i], media_hashes, ctx)) or [])
    return reports


def _pattern_signals(text: str) -> list[SignalResult]:
    return [SignalResult("scam_pattern" if p.kind == "scam" else "fundraising",
                         "fraud_scam_spam", p.score, f"{p.explanation} (pattern {p.name}), {p.score:.2f}",
                         key=p.name, data={"pattern": p.name})
            for p in match_patterns(text)]


def scan_batch(items: Sequence[dict[str, Any]], ctx: ScanContext) -> list[list[SignalResult]]:
    """Signals for many items; text models run once over the whole batch."""
    return [r.signals for r in scan_batch_reports(items, ctx)]


def _unverified_claim(claim: dict[str, Any], labelled: bool) -> SignalResult:
    """An AI declaration in credentials that are not evidence: for a moderator to weigh,
    never an automatic label (a test key or an edited file can say anything)."""
    by = f" by {claim['generator']}" if claim.get("generator") else ""
    where = "an ingredient" if claim.get("in_ingredient") else "the manifest"
    return SignalResult(
        "c2pa_ai_unverified", "synthetic_media", 0.5,
        f"Content Credentials claim AI generation ({where} declares {claim['source_type']}{by}) "
        f"but {claim['reason']}: a claim, not evidence; review by hand, 0.50",
        key=f"m{claim['media_index']}", exact=False,
        data={**claim, "creator_labelled": labelled})


def _synthetic(item: dict[str, Any], text: str, ai: dict[str, Any],
               scores: dict[str, float], claims: Sequence[dict[str, Any]] = ()) -> list[SignalResult]:
    labelled = bool(item.get("ai_label") or item.get("creator_ai_label"))
    out: list[SignalResult] = []
    if labelled:
        out.append(SignalResult("creator_ai_label", "synthetic_media", 1.0,
                                "the creator labelled this content as AI-generated, 1.00",
                                key="creator", data={"creator_labelled": True}))
    out.extend(_unverified_claim(c, labelled) for c in claims)
    if not ai:
        return out
    where = "an ingredient's" if ai.get("in_ingredient") else "the active"
    out.append(SignalResult(
        "c2pa_ai", "synthetic_media", 1.0,
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
            "unlabelled_ai_public_figure", "synthetic_media", 0.9,
            f"unlabelled AI-generated media naming {', '.join(figures)} in an election "
            "context, 0.90",
            key="figures", data={"figures": figures, "media_index": ai["media_index"]}))
    return out


def scan_item(item: dict[str, Any], context: ScanContext | None = None) -> list[SignalResult]:
    """Every signal for one item (a dict shaped like the POST /api/v1/content body)."""
    return scan_item_report(item, context).signals


def scan_item_report(item: dict[str, Any], context: ScanContext | None = None) -> ScanReport:
    """Every signal for one item, and the detector steps that failed on it."""
    return scan_batch_reports([item], context or ScanContext())[0]


def scan_and_route(item: dict[str, Any], context: ScanContext) -> tuple[list[SignalResult], RouteDecision]:
    """Signals and the routing decision for one item (what ``salingjaga scan`` prints)."""
    signals = scan_item(item, context)
    return signals, route(signals, context.routing)


# ------------------------------------------------------------------------------ handlers


def handle_content(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """Stream handler: scan a stored item, keep its signals, route, act. Idempotent."""
    from salingjaga.content.models import ContentItem
    from salingjaga.detection import service

    item = session.get(ContentItem, payload["content_id"])
    if item is None:
        log.warning("content %s not found for scanning", payload.get("content_id"))
        return
    ctx = service.context_for(session, settings)
    report = scan_item_report(service.item_dict(item), ctx)
    signals = report.signals
    stored = service.store_signals(session, item.id, signals)
    service.apply_route(session, item.id, signals, stored, route(signals, ctx.routing))
    if report.failures:
        # committed with the signals above: the item keeps what worked, the operator sees
        # what failed and may replay the message once the cause is fixed
        from salingjaga.stream.deadletters import record_dead_letter

        for failure in report.failures:
            record_dead_letter(session, topic="content", payload=dict(payload), handler=HANDLER,
                               step=failure.where, error=failure.error)


def handle_factcheck(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """Stream handler: match a new fact-check against content already on the platform."""
    from salingjaga.detection import service

    retro_match = _lazy(("salingjaga.factcheck.service",), "retro_match")
    if retro_match is None:
        log.info("fact-check domain not installed: retroactive matching skipped")
        return
    factcheck_id = str(payload["factcheck_id"])
    matches = retro_match(session, factcheck_id, CLAIM_FLOOR)
    fact = service.factcheck_facts(session, factcheck_id)
    for content_id, score in matches:
        sig = SignalResult(
            "claim_match", "misinformation", float(score),
            f"matches fact-check {factcheck_id}: '{fact['claim'][:200]}' "
            f"({describe_verdict(fact['verdict'], fact.get('rating', '')) or 'no verdict yet'}), "
            f"{float(score):.2f} (retroactive)",
            key=factcheck_id,
            data={"factcheck_id": factcheck_id, "claim": fact["claim"][:200],
                  "verdict": fact["verdict"].lower(), "retroactive": True})
        stored = service.store_signals(session, content_id, [sig])
        service.apply_route(session, content_id, [sig], stored, route([sig], service.routing_config()))

