"""Content Credentials (C2PA): does the manifest store say the media was AI-generated, and
may that be believed?

Reading uses ``c2pa-python`` (which validates as it reads); the decisions are pure
functions over the reader's JSON so they are tested on their own. AI generation is
declared by an action or ingredient whose ``digitalSourceType`` is one of the IPTC codes
below, in the active manifest or in any ingredient's manifest.

A declaration is *evidence* only when the manifest store validates (no failure code: the
bytes are the ones that were signed) and its signer chains to a trust anchor the operator
configured (``SALINGJAGA_C2PA_TRUST_ANCHORS``). Anyone can sign with a test key, and a
signed AI image whose pixels were edited keeps its manifest, so everything else is a
*claim*: "trusted", "untrusted" or "invalid" tell which. Remote manifests and OCSP are
never fetched: a detector must not make network requests that a file's author chose.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
AI_SOURCE_TYPES = frozenset({
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
    "compositeSynthetic",
})
# Types handed to the reader; others are never parsed by it.
SUPPORTED_MIME = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/heic",
                            "image/heif", "image/avif", "image/tiff", "image/x-adobe-dng",
                            "video/mp4", "video/quicktime"})

TRUSTED, UNTRUSTED, INVALID, ABSENT = "trusted", "untrusted", "invalid", "absent"

# What the common failure codes mean, for a moderator (C2PA 2.x validation status codes).
FAILURE_MEANINGS: dict[str, str] = {
    "assertion.dataHash.mismatch": "the file's data was changed after it was signed",
    "assertion.bmffHash.mismatch": "the file's data was changed after it was signed",
    "assertion.boxesHash.mismatch": "the file's data was changed after it was signed",
    "assertion.hashedURI.mismatch": "an assertion was changed after it was signed",
    "assertion.missing": "an assertion the claim lists is missing",
    "claimSignature.mismatch": "the signature does not match the claim",
    "claimSignature.missing": "the claim is not signed",
    "claimSignature.outsideValidity": "the signing certificate was not valid when it signed",
    "signingCredential.expired": "the signing certificate had expired",
    "signingCredential.revoked": "the signing certificate was revoked",
    "signingCredential.invalid": "the signing certificate is malformed",
    "signingCredential.untrusted": "the signer is not on the trust list",
    "ingredient.manifest.missing": "an ingredient's manifest is missing",
}


@dataclass
class CredentialFinding:
    """What the credentials say (AI generation declared, and where) and whether the
    manifest may be believed (``status``: trusted, untrusted, invalid, absent)."""

    present: bool
    ai_generated: bool = False
    source_type: str | None = None
    in_ingredient: bool = False
    generator: str | None = None
    signer: str | None = None  # the certificate's issuer organisation
    signer_name: str | None = None  # the certificate's common name
    validation: list[str] = field(default_factory=list)  # failure codes
    status: str = ABSENT

    @property
    def is_evidence(self) -> bool:
        """Whether an AI declaration here may drive an automatic label."""
        return self.ai_generated and self.status == TRUSTED

    def reason(self) -> str:
        """Why the credentials are not evidence, in words a moderator can act on."""
        if self.status == INVALID:
            broken = [c for c in self.validation if not _is_trust_code(c)]
            words = "; ".join(f"{c}: {FAILURE_MEANINGS[c]}" if c in FAILURE_MEANINGS else c
                              for c in broken[:4])
            return f"do not validate ({words or 'the manifest is invalid'})"
        if self.status == UNTRUSTED:
            who = self.signer_name or "unknown signer"
            issuer = f", issued by {self.signer}" if self.signer else ""
            return f"are signed by a certificate not on the trust list ('{who}'{issuer})"
        return "are trusted" if self.status == TRUSTED else "are absent"


def _short_type(value: str) -> str:
    return value.rsplit("/", 1)[-1] if value else value


def _is_trust_code(code: str) -> bool:
    # the manifest is intact but its signer (or a timestamp or identity signer) is not trusted
    return code.endswith(".untrusted")


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for assertion in manifest.get("assertions", []) or []:
        label = str(assertion.get("label", ""))
        if label.startswith("c2pa.actions"):
            out.extend(assertion.get("data", {}).get("actions", []) or [])
    return out


def failure_codes(store: dict[str, Any]) -> list[str]:
    """Every failure code of the store: the active manifest's and each ingredient's."""
    results = store.get("validation_results")
    if isinstance(results, dict):
        codes = [str(s.get("code")) for s in (results.get("activeManifest") or {}).get("failure") or []]
        for delta in results.get("ingredientDeltas") or []:
            codes.extend(str(s.get("code"))
                         for s in (delta.get("validationDeltas") or {}).get("failure") or [])
        return codes
    # older readers: validation_status lists failures only
    return [str(s.get("code")) for s in store.get("validation_status") or []]


def trust_status(store: dict[str, Any], anchors_configured: bool) -> str:
    """trusted, untrusted or invalid: the decision that makes a manifest evidence or not.

    Invalid when any failure is about integrity (hash mismatch, bad signature, expired or
    revoked certificate) or the reader says so; trusted only when nothing failed, the
    reader chained the signer to an anchor, and the anchors are the operator's own (a
    reader's built-in list never counts); untrusted otherwise.
    """
    codes = failure_codes(store)
    state = str(store.get("validation_state") or "")
    if state == "Invalid" or any(not _is_trust_code(c) for c in codes):
        return INVALID
    if state == "Trusted" and not codes and anchors_configured:
        return TRUSTED
    return UNTRUSTED


def analyse_store(store: dict[str, Any], anchors_configured: bool = False) -> CredentialFinding:
    """Decide from a manifest store (the reader's JSON) whether AI generation is declared,
    and whether the manifest may be believed."""
    manifests: dict[str, Any] = store.get("manifests") or {}
    active_label = store.get("active_manifest")
    if not manifests or active_label not in manifests:
        return CredentialFinding(present=False)
    active = manifests[active_label]
    gen_info = active.get("claim_generator_info") or [{}]
    signature = active.get("signature_info") or {}
    finding = CredentialFinding(
        present=True,
        generator=(gen_info[0] or {}).get("name") or active.get("claim_generator"),
        signer=signature.get("issuer"),
        signer_name=signature.get("common_name"),
        validation=failure_codes(store),
        status=trust_status(store, anchors_configured),
    )
    # active manifest first, then every manifest an ingredient points to (walked, not
    # just listed, so a chain of edits still reveals an AI-generated origin)
    seen: set[str] = set()
    queue: list[tuple[str, bool]] = [(active_label, False)]
    while queue:
        label, is_ingredient = queue.pop(0)
        if label in seen or label not in manifests:
            continue
        seen.add(label)
        manifest = manifests[label]
        for action in _actions(manifest):
            source = _short_type(str(action.get("digitalSourceType", "")))
            if source in AI_SOURCE_TYPES:
                finding.ai_generated = True
                finding.source_type = source
                finding.in_ingredient = is_ingredient
                return finding
        for ingredient in manifest.get("ingredients", []) or []:
            source = _short_type(str(ingredient.get("digitalSourceType", "")))
            if source in AI_SOURCE_TYPES:
                finding.ai_generated = True
                finding.source_type = source
                finding.in_ingredient = True
                return finding
            child = ingredient.get("active_manifest")
            if child:
                queue.append((str(child), True))
    return finding


# ------------------------------------------------------------------------------ trust anchors


@dataclass(frozen=True)
class TrustAnchors:
    """The operator's trust list: PEM certificates a signer must chain to."""

    pem: str = ""
    subjects: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.subjects)


NO_ANCHORS = TrustAnchors()


@lru_cache(maxsize=8)
def _load_anchors(path: str, mtime_ns: int) -> TrustAnchors:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    raw = Path(path).read_bytes()
    try:
        certs = x509.load_pem_x509_certificates(raw)
    except ValueError as exc:
        raise ValueError(f"SALINGJAGA_C2PA_TRUST_ANCHORS ({path}) holds no readable PEM "
                         f"certificate: {exc}") from exc
    pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)
    return TrustAnchors(pem, tuple(c.subject.rfc4514_string() for c in certs))


def load_trust_anchors(path: Path | str | None) -> TrustAnchors:
    """The anchors in a PEM file (re-read when the file changes); none when no path is set.

    A path that is set but missing or unreadable raises ValueError: a misconfigured trust
    list must be seen, not silently trust nothing (or everything).
    """
    if path is None or str(path) == "":
        return NO_ANCHORS
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise ValueError(f"SALINGJAGA_C2PA_TRUST_ANCHORS: cannot read {p}: {exc.strerror}") from exc
    return _load_anchors(str(p), mtime)


_context_lock = threading.Lock()


@lru_cache(maxsize=4)
def _context(anchor_pem: str) -> Any:
    import c2pa

    settings: dict[str, Any] = {
        "verify": {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False},
    }
    if anchor_pem:
        settings["trust"] = {"trust_anchors": anchor_pem}
    return c2pa.Context.from_dict(settings)


def read_store(data: bytes, mime: str, anchors: TrustAnchors = NO_ANCHORS) -> dict[str, Any] | None:
    """The manifest store of a file as JSON, validated against ``anchors``; None when it
    carries no credentials (or only a remote reference, which is not fetched)."""
    if mime not in SUPPORTED_MIME:
        return None
    import c2pa

    with _context_lock:
        context = _context(anchors.pem)
    try:
        with c2pa.Reader(mime, io.BytesIO(data), None, context) as reader:
            parsed: dict[str, Any] = json.loads(reader.json())
            return parsed
    except c2pa.C2paError:
        return None  # no manifest, a remote one, or one too broken to say anything


def read_credentials(data: bytes, mime: str, anchors: TrustAnchors = NO_ANCHORS) -> CredentialFinding:
    """Read, validate and analyse the Content Credentials of a media file."""
    store = read_store(data, mime, anchors)
    return CredentialFinding(present=False) if store is None else analyse_store(store, bool(anchors))
