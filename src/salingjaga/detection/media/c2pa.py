"""Content Credentials (C2PA): does the manifest store say the media was AI-generated?

Reading uses ``c2pa-python``; the decision is a pure function over the reader's JSON so it
is tested on its own. AI generation is declared by an action whose ``digitalSourceType``
is one of the IPTC codes below, in the active manifest or in any ingredient's manifest.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
AI_SOURCE_TYPES = frozenset({
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
    "compositeSynthetic",
})
SUPPORTED_MIME = {"image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4"}


@dataclass
class CredentialFinding:
    """What the credentials say: whether AI generation is declared, and where."""

    present: bool
    ai_generated: bool = False
    source_type: str | None = None
    in_ingredient: bool = False
    generator: str | None = None
    signer: str | None = None
    validation: list[str] = field(default_factory=list)


def _short_type(value: str) -> str:
    return value.rsplit("/", 1)[-1] if value else value


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for assertion in manifest.get("assertions", []) or []:
        label = str(assertion.get("label", ""))
        if label.startswith("c2pa.actions"):
            out.extend(assertion.get("data", {}).get("actions", []) or [])
    return out


def analyse_store(store: dict[str, Any]) -> CredentialFinding:
    """Decide from a manifest store (the reader's JSON) whether AI generation is declared."""
    manifests: dict[str, Any] = store.get("manifests") or {}
    active_label = store.get("active_manifest")
    if not manifests or active_label not in manifests:
        return CredentialFinding(present=False)
    active = manifests[active_label]
    gen_info = active.get("claim_generator_info") or [{}]
    finding = CredentialFinding(
        present=True,
        generator=(gen_info[0] or {}).get("name") or active.get("claim_generator"),
        signer=(active.get("signature_info") or {}).get("issuer"),
        validation=[str(v.get("code")) for v in store.get("validation_status") or []],
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


def read_store(data: bytes, mime: str) -> dict[str, Any] | None:
    """The manifest store of a file as JSON, or None when it carries no credentials."""
    if mime not in SUPPORTED_MIME:
        return None
    import c2pa

    try:
        with c2pa.Reader(mime, io.BytesIO(data)) as reader:
            parsed: dict[str, Any] = json.loads(reader.json())
            return parsed
    except c2pa.C2paError:
        return None  # no manifest, or one too broken to say anything


def read_credentials(data: bytes, mime: str) -> CredentialFinding:
    """Read and analyse the Content Credentials of a media file."""
    store = read_store(data, mime)
    return CredentialFinding(present=False) if store is None else analyse_store(store)
