"""Text rules without I/O: campaign phrases, GPPPA classification proposals, ad review.

Everything here takes plain strings and data and returns plain values, so the decisions are
tested without a database and a platform tunes them by editing the data files.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from salingjaga.rules.gates import GateDecision

_SEPARATORS = re.compile(r"[_.\-]+")
_SPACES = re.compile(r"\s+")


@cache
def campaign_data() -> dict[str, Any]:
    """The parsed ``data/campaign.toml``."""
    text = resources.files("salingjaga.rules").joinpath("data/campaign.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def gpppa_terms() -> dict[str, dict[str, list[str]]]:
    """The parsed ``data/gpppa_terms.toml``: kind -> {names, titles}."""
    text = resources.files("salingjaga.rules").joinpath("data/gpppa_terms.toml").read_text("utf-8")
    return tomllib.loads(text)


def normalise(text: str) -> str:
    """Lower-case, with handle separators (_ . -) and runs of spaces turned into one space."""
    return _SPACES.sub(" ", _SEPARATORS.sub(" ", text.lower())).strip()


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.lower().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def phrase_hits(text: str, phrases: list[str] | tuple[str, ...]) -> list[str]:
    """The phrases that occur in ``text`` as whole words (case-insensitive), in list order."""
    low = text.lower()
    return [p for p in phrases if p.strip() and _pattern(p).search(low)]


def campaign_hits(text: str) -> list[str]:
    """Phrases in ``text`` that show it campaigns."""
    return phrase_hits(text, campaign_data()["campaign_phrases"])


@dataclass(frozen=True)
class Proposal:
    """A proposed GPPPA kind for an account and what matched."""

    kind: str
    evidence: list[dict[str, str]] = field(default_factory=list)


# When terms of several kinds match, the most specific kind wins a tie.
_KIND_ORDER = ("political_party", "politician", "government")


def propose_kind(handle: str, display_name: str, bio: str,
                 candidate_names: list[str] | tuple[str, ...] = ()) -> Proposal | None:
    """Propose a GPPPA kind from an account's names, or None when nothing matches.

    The handle and display name weigh more than the bio: a bio that mentions "pemerintah"
    alone proposes nothing, a name that says "Pemkot" does.
    """
    name_text = normalise(f"{handle} {display_name}")
    bio_text = normalise(bio)
    terms = gpppa_terms()
    scores: dict[str, int] = {}
    evidence: list[dict[str, str]] = []

    def add(kind: str, term: str, source: str, where: str, weight: int) -> None:
        scores[kind] = scores.get(kind, 0) + weight
        evidence.append({"kind": kind, "term": term, "source": source, "field": where})

    people = [n for n in candidate_names if len(n.split()) >= 2]
    for name in phrase_hits(name_text, [normalise(n) for n in people]):
        add("politician", name, "registered_candidate", "name", 3)
    for kind in _KIND_ORDER:
        spec = terms.get(kind, {})
        for source in ("names", "titles"):
            phrases = [normalise(t) for t in spec.get(source, [])]
            for hit in phrase_hits(name_text, phrases):
                add(kind, hit, f"{kind}_{source[:-1]}", "name", 2)
            for hit in phrase_hits(bio_text, phrases):
                add(kind, hit, f"{kind}_{source[:-1]}", "bio", 1)
    strong = {k: v for k, v in scores.items() if v >= 2}
    if not strong:
        return None
    best = max(strong, key=lambda k: (strong[k], -_KIND_ORDER.index(k)))
    return Proposal(best, evidence)


def political_hits(text: str, extra_names: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Phrases that make an ad political: the data list plus party and candidate names."""
    phrases = list(campaign_data()["ads"]["political_phrases"])
    phrases += gpppa_terms().get("political_party", {}).get("names", [])
    phrases += [n for n in extra_names if len(n.split()) >= 2]
    return phrase_hits(normalise_keep_hash(text), [p.lower() for p in phrases])


def normalise_keep_hash(text: str) -> str:
    """Lower-case with single spaces; unlike ``normalise`` keeps punctuation (hashtags)."""
    return _SPACES.sub(" ", text.lower()).strip()


def review_ad(gate: GateDecision, category: str, political: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """Decide an ad: rejected if the advertiser may not advertise or the content is political.

    ``gate`` is the advertiser's decision for the ``ads`` feature; an approval-based allow
    covers public-service ads only.
    """
    reasons: list[dict[str, Any]] = []
    if political:
        reasons.append({
            "code": "political_content", "rule": "no-political-ads",
            "message": "political ads are not allowed: the ad mentions " + ", ".join(repr(p) for p in political),
            "terms": political,
        })
    if not gate.allowed:
        reasons.append({"code": "advertiser_not_allowed", "rule": gate.rule,
                        "message": gate.reason.get("en", "")})
    elif gate.rule == "government-psa-approved" and category != "public_service":
        reasons.append({"code": "approval_covers_public_service_only", "rule": gate.rule,
                        "message": "the government approval on record covers public-service ads only; "
                                   f"this ad is declared {category!r}"})
    if reasons:
        return "rejected", reasons
    if gate.rule == "government-psa-approved":
        return "approved", [{"code": "public_service_approved", "rule": gate.rule,
                             "message": "approved public-service ad from a government body"}]
    return "approved", []
