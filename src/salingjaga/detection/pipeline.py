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
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.detection.banks import BankMatch, BankMatcher
from salingjaga.detection.base import MediaBlob, PriorItem, SignalResult, describe_verdict
from salingjaga.detection.behaviour import neardup
from salingjaga.detection.behaviour.coordination import BurstRule, find_burst
from salingjaga.detection.behaviour.scam import match_patterns
from salingjaga.detection.history import History
from salingjaga.detection.media.pdq import MediaError
from salingjaga.detection.media.synthetic import election_terms_in, public_figures_in
from salingjaga.detection.routing import RouteDecision, RoutingConfig, route
from salingjaga.settings import Settings
from salingjaga.timeutil import as_utc, utcnow

log = logging.getLogger("salingjaga.detection")

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
    from salingjaga.content.media import sniff_mime

    return sniff_mime(blob.data) or blob.mime or ""


def _bank_signal(match: BankMatch, media_index: int, where: str) -> SignalResult:
    e = match.entry
    kind = "md5_match" if e.kind == "md5" else "media_hash_match"
    if e.kind == "md5":
        score, how = 1.0, "identical file (MD5)"
    else:
        score = round(max(0.0, 1.0 - match.distance / 64), 3)
        how = f"PDQ distance {match.distance}/{e.threshold}"
    label = f": '{e.label}'" if e.label else ""
    return SignalResult(
        kind, e.policy, score,
        f"{where} matches hash bank '{e.bank}'{label} ({how}), {score:.2f}",
        key=f"{e.entry_id}",
        exact=True,
        data={"bank": e.bank, "bank_action": e.bank_action, "entry_id": e.entry_id,
              "distance": match.distance, "threshold": e.threshold, "label": e.label,
              "media_index": media_index, "hash": match.query},
    )


def _scan_media(item: dict[str, Any], ctx: ScanContext) -> tuple[list[SignalResult], list[str], dict[str, Any]]:
    """Signals from the files, the item's PDQ hashes (for reposts), and C2PA facts."""
    import hashlib

    from salingjaga.detection.media.c2pa import read_credentials
    from salingjaga.detection.media.pdq import pdq_from_bytes
    from salingjaga.detection.media.video import keyframe_hashes

    blobs, signals = _media_blobs(item, ctx.data_dir)
    hashes: list[str] = []
    ai: dict[str, Any] = {}
    for blob in blobs:
        mime = _sniff(blob)
        md5 = blob.md5 or hashlib.md5(blob.data, usedforsecurity=False).hexdigest()
        if ctx.banks is not None:
            for m in ctx.banks.match_md5(md5):
                signals.append(_bank_signal(m, blob.index, f"media {blob.index}"))
        frames: list[tuple[str, str]] = []  # (where, hash)
        try:
            if mime.startswith("image/"):
                h, quality = pdq_from_bytes(blob.data)
                if quality >= MIN_PDQ_QUALITY:
                    frames.append((f"image {blob.index}", h))
            elif mime.startswith("video/"):
                for seconds, h, quality in keyframe_hashes(blob.data):
                    if quality >= MIN_PDQ_QUALITY:
                        frames.append((f"video {blob.index} keyframe at {seconds:.1f}s", h))
        except MediaError as exc:
            signals.append(_media_error(blob.index, str(exc)))
        if frames and ctx.banks is not None:
            best: dict[int, SignalResult] = {}
            for (where, _), matches in zip(frames, ctx.banks.match_pdq([h for _, h in frames]),
                                           strict=True):
                for m in matches:
                    sig = _bank_signal(m, blob.index, where)
                    if m.entry.entry_id not in best or sig.score > best[m.entry.entry_id].score:
                        best[m.entry.entry_id] = sig
            signals.extend(best.values())
        hashes.extend(h for _, h in frames)
        if mime in ("image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4") and not ai:
            finding = read_credentials(blob.data, mime)
            if finding.ai_generated:
                ai = {"media_index": blob.index, "source_type": finding.source_type,
                      "in_ingredient": finding.in_ingredient, "generator": finding.generator,
                      "signer": finding.signer, "validation": finding.validation}
    return signals, hashes, ai


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


def scan_batch(items: Sequence[dict[str, Any]], ctx: ScanContext) -> list[list[SignalResult]]:
    """Signals for many items; text models run once over the whole batch."""
    texts = [text_of(it) for it in items]
    out: list[list[SignalResult]] = [[] for _ in items]
    classify = ctx.classify
    scores: list[dict[str, float]] = classify(texts) if classify is not None else [{} for _ in items]
    claims: list[list[Any]] = (ctx.claim_matcher.match(texts, CLAIM_K)
                               if ctx.claim_matcher is not None else [[] for _ in items])
    fingerprints = _simhashes(texts) if ctx.history is not None else [None] * len(items)
    for i, item in enumerate(items):
        sigs = out[i]
        text = texts[i]
        for label, score in (scores[i] or {}).items():
            if label in CLASSIFIER_LABELS and score >= CLASSIFIER_FLOOR:
                sigs.append(SignalResult(
                    "classifier", CLASSIFIER_LABELS[label], float(score),
                    f"text classifier: {label.replace('_', ' ')}, {score:.2f}",
                    key=label, data={"label": label}))
        for m in claims[i] or []:
            if float(getattr(m, "score", 0.0)) >= CLAIM_FLOOR:
                sigs.append(_claim_signal(m))
        for p in match_patterns(text):
            sigs.append(SignalResult(
                "scam_pattern" if p.kind == "scam" else "fundraising",
                "fraud_scam_spam", p.score, f"{p.explanation} (pattern {p.name}), {p.score:.2f}",
                key=p.name, data={"pattern": p.name}))
        media_hashes: list[str] = []
        if item.get("media"):
            media_sigs, media_hashes, ai = _scan_media(item, ctx)
            sigs.extend(media_sigs)
            sigs.extend(_synthetic(item, text, ai, scores[i] or {}))
        elif item.get("ai_label") or item.get("creator_ai_label"):
            sigs.extend(_synthetic(item, text, {}, scores[i] or {}))
        sigs.extend(_behaviour(item, fingerprints[i], media_hashes, ctx))
    return out


def _synthetic(item: dict[str, Any], text: str, ai: dict[str, Any],
               scores: dict[str, float]) -> list[SignalResult]:
    labelled = bool(item.get("ai_label") or item.get("creator_ai_label"))
    out: list[SignalResult] = []
    if labelled:
        out.append(SignalResult("creator_ai_label", "synthetic_media", 1.0,
                                "the creator labelled this content as AI-generated, 1.00",
                                key="creator", data={"creator_labelled": True}))
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
    return scan_batch([item], context or ScanContext())[0]


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
    signals = scan_item(service.item_dict(item), ctx)
    stored = service.store_signals(session, item.id, signals)
    service.apply_route(session, item.id, signals, stored, route(signals, ctx.routing))


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

