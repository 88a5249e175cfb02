"""Statements of reasons in the shape of the DSA Transparency Database API.

Two pure functions: ``build_statement`` turns a decision into the DSA JSON, and
``validate_statement`` checks any such JSON against the official API's field rules (the
transparency exports and ``validate-statements`` reuse it). Every enumerated value is read
from the official enumerations shipped in ``policies/data/dsa-enums.json``; the rules follow
the API's statement validation at the same commit (digital-services-act/transparency-database
@ 69e80a0): which fields each decision type requires, the conditional ``*_other`` fields,
EEA-only ``territorial_scope``, ISO 639-1 ``content_language``, the date windows, the ``puid``
pattern and the length limits.

A statement also carries ``applies_in``, SalingJaga's own field naming where the restriction
applies (worldwide, or Indonesia for Indonesian law and election rules) so the creator is
told; the API ignores fields it does not know and the DSA export leaves it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from salingjaga.moderation import actions as A
from salingjaga.policies.dsa import dsa_enums
from salingjaga.policies.service import Territory, get_territory

_ENUMS = dsa_enums()
DECISION_VISIBILITIES = _ENUMS.decision_visibilities
DECISION_MONETARIES = _ENUMS.decision_monetaries
DECISION_PROVISIONS = _ENUMS.decision_provisions
DECISION_ACCOUNTS = _ENUMS.decision_accounts
ACCOUNT_TYPES = _ENUMS.account_types
DECISION_GROUNDS = _ENUMS.decision_grounds
YES_NO = _ENUMS.yes_no
CONTENT_TYPES = _ENUMS.content_types
SOURCE_TYPES = _ENUMS.source_types
AUTOMATED_DECISIONS = _ENUMS.automated_decisions
STATEMENT_CATEGORIES = _ENUMS.categories
KEYWORDS = frozenset(_ENUMS.keywords)
LANGUAGES = frozenset(_ENUMS.languages)
EEA_COUNTRIES = _ENUMS.eea_countries
REMOVED_VALUES = _ENUMS.removed

LIMITS = {
    "decision_visibility_other": 500,
    "decision_monetary_other": 500,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "content_type_other": 500,
    "category_specification_other": 500,
    "decision_facts": 5000,
    "source_identity": 500,
    "puid": 500,
    "decision_ground_reference_url": 500,
}
DATE_FIELDS = (
    "end_date_visibility_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_account_restriction",
)
# The API's date windows (inclusive).
EARLIEST_CONTENT_DATE = date(2000, 1, 1)
EARLIEST_APPLICATION_DATE = date(2020, 1, 1)
LATEST_DATE = date(2038, 1, 1)
DSA_FIELDS = frozenset({
    "decision_visibility", "decision_visibility_other", "decision_monetary",
    "decision_monetary_other", "decision_provision", "decision_account", "account_type",
    "decision_ground", "decision_ground_reference_url", "illegal_content_legal_ground",
    "illegal_content_explanation", "incompatible_content_ground",
    "incompatible_content_explanation", "incompatible_content_illegal", "content_type",
    "content_type_other", "category", "category_addition", "category_specification",
    "category_specification_other", "territorial_scope", "content_language", "content_date",
    "application_date", "decision_facts", "source_type", "source_identity",
    "automated_detection", "automated_decision", "puid", "content_id", *DATE_FIELDS,
})
# SalingJaga's own fields on a stored statement; never sent to the database.
LOCAL_FIELDS = frozenset({"applies_in"})
# Fields the API adds to a statement it returns (its own examples carry them); it ignores
# them on input, so a statement copied back from the API still validates.
API_OUTPUT_FIELDS = frozenset({"uuid", "id", "created_at", "platform_name", "permalink", "self"})
KNOWN_FIELDS = DSA_FIELDS | LOCAL_FIELDS | API_OUTPUT_FIELDS
# Matched whole (``fullmatch``): ``$`` would let a trailing newline through, which the API's
# pattern refuses.
_PUID = re.compile(r"[a-zA-Z0-9_-]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EAN13 = re.compile(r"\d{13}")

# Our sources -> DSA source_type. Partners that are not trusted flaggers and ordinary users
# send Art. 16 notices; detection and election rules are the platform's own initiative.
SOURCE_TYPE_FOR = {
    "trusted_flagger": "SOURCE_TRUSTED_FLAGGER",
    "partner": "SOURCE_ARTICLE_16",
    "user_report": "SOURCE_ARTICLE_16",
    "proactive": "SOURCE_VOLUNTARY",
    "rules": "SOURCE_VOLUNTARY",
}
CONTENT_TYPE_FOR = {
    "video": "CONTENT_TYPE_VIDEO",
    "live": "CONTENT_TYPE_VIDEO",
    "image": "CONTENT_TYPE_IMAGE",
    "text": "CONTENT_TYPE_TEXT",
}
VISIBILITY_FOR = {
    A.REMOVE: "DECISION_VISIBILITY_CONTENT_REMOVED",
    A.FYP_EXCLUDE: "DECISION_VISIBILITY_CONTENT_DEMOTED",
    A.AGE_RESTRICT: "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    A.LABEL_UNVERIFIED: "DECISION_VISIBILITY_CONTENT_LABELLED",
    A.LABEL_AI_GENERATED: "DECISION_VISIBILITY_CONTENT_LABELLED",
    A.LABEL_ELECTION_NOTICE: "DECISION_VISIBILITY_CONTENT_LABELLED",
}



@dataclass(frozen=True)
class StatementInput:
    """Everything a statement is built from; no personal data, never the notifier."""

    puid: str
    action: str
    policy_name: str
    dsa_category: str
    dsa_keywords: tuple[str, ...]
    facts: str
    source: str
    content_kind: str
    content_date: date
    application_date: date
    automated_detection: bool = False
    automated_decision: str = "AUTOMATED_DECISION_NOT_AUTOMATED"
    legal_ground: str | None = None
    synthetic: bool = False
    account_business: bool | None = None
    end_date: date | None = None
    content_language: str | None = None
    ground_reference_url: str | None = None
    # Text sent as category_specification_other with KEYWORD_OTHER (the policy's name if unset).
    dsa_specification: str | None = None
    # Where the restriction applies; None is the platform's worldwide terms of service.
    applies_in: Territory | None = None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def classification(*, category: str, keywords: tuple[str, ...] | list[str], specification: str
                   ) -> dict[str, Any]:
    """``category``, ``category_specification`` and, with ``KEYWORD_OTHER``, the
    ``category_specification_other`` text: the DSA classification of one policy."""
    out: dict[str, Any] = {"category": category}
    current = [k for k in keywords if k in KEYWORDS]
    if current:
        out["category_specification"] = current
        if "KEYWORD_OTHER" in current:
            out["category_specification_other"] = _clip(specification, LIMITS["category_specification_other"])
    return out


def is_stale_classification(data: dict[str, Any]) -> bool:
    """Whether a stored statement's category or keywords are no longer API values (for
    example a category the API removed after the statement was written)."""
    keywords = data.get("category_specification") or []
    return data.get("category") not in STATEMENT_CATEGORIES or (
        isinstance(keywords, list) and any(k not in KEYWORDS for k in keywords))


def content_language(value: str | None) -> str | None:
    """The API's code for a content item's language tag (``id``, ``id-ID``, ``EN``), or None
    when the API has no such ISO 639-1 code (``und``, ``jv-x``, typos): the field is
    optional, so an unknown language is left out rather than guessed."""
    if not value:
        return None
    code = re.split(r"[-_]", value.strip(), maxsplit=1)[0].upper()
    return code if len(code) == 2 and code in LANGUAGES else None


def build_statement(si: StatementInput) -> dict[str, Any]:
    """The DSA statement of reasons for one restrictive decision."""
    if not A.is_restriction(si.action):
        raise ValueError(f"{si.action!r} restricts nothing; no statement of reasons is due")
    out: dict[str, Any] = {}
    end = si.end_date.isoformat() if si.end_date else None
    if si.action in VISIBILITY_FOR:
        out["decision_visibility"] = [VISIBILITY_FOR[si.action]]
        out["end_date_visibility_restriction"] = end
    elif si.action == A.RESTRICT_FEATURE:
        out["decision_provision"] = "DECISION_PROVISION_PARTIAL_SUSPENSION"
        out["end_date_service_restriction"] = end
    elif si.action == A.SUSPEND:
        out["decision_account"] = "DECISION_ACCOUNT_SUSPENDED"
        out["end_date_account_restriction"] = end
    elif si.action == A.BAN:
        out["decision_account"] = "DECISION_ACCOUNT_TERMINATED"
        out["end_date_account_restriction"] = None
    else:  # pragma: no cover - is_restriction covers every other action
        raise ValueError(f"no DSA mapping for {si.action!r}")
    if si.account_business is not None:
        out["account_type"] = "ACCOUNT_TYPE_BUSINESS" if si.account_business else "ACCOUNT_TYPE_PRIVATE"
    facts = _clip(si.facts.strip() or si.policy_name, 2000)
    if si.legal_ground:
        out["decision_ground"] = "DECISION_GROUND_ILLEGAL_CONTENT"
        out["illegal_content_legal_ground"] = _clip(si.legal_ground, 500)
        out["illegal_content_explanation"] = facts
    else:
        out["decision_ground"] = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
        out["incompatible_content_ground"] = _clip(
            f"SalingJaga community guidelines: {si.policy_name}", 500)
        out["incompatible_content_explanation"] = facts
    if si.ground_reference_url:
        out["decision_ground_reference_url"] = _clip(si.ground_reference_url, 500)
    types = [CONTENT_TYPE_FOR.get(si.content_kind, "CONTENT_TYPE_OTHER")]
    if si.synthetic:
        types.append("CONTENT_TYPE_SYNTHETIC_MEDIA")
    out["content_type"] = types
    if "CONTENT_TYPE_OTHER" in types:
        out["content_type_other"] = _clip(si.content_kind or "other", 500)
    out.update(classification(category=si.dsa_category, keywords=si.dsa_keywords,
                              specification=si.dsa_specification or si.policy_name))
    territory = si.applies_in or get_territory("worldwide")
    # The API's territorial scope lists EEA countries only: a restriction that holds only
    # outside the EEA (Indonesian law, Indonesian election rules) has none to name, and
    # says where it applies in ``applies_in`` alone.
    if territory.eea:
        out["territorial_scope"] = list(EEA_COUNTRIES)
    out["applies_in"] = territory.as_dict()
    out["content_language"] = content_language(si.content_language)
    out["content_date"] = max(si.content_date, EARLIEST_CONTENT_DATE).isoformat()
    out["application_date"] = max(si.application_date, EARLIEST_APPLICATION_DATE).isoformat()
    out["decision_facts"] = _clip(si.facts.strip() or si.policy_name, 5000)
    out["source_type"] = SOURCE_TYPE_FOR[si.source]
    out["automated_detection"] = "Yes" if si.automated_detection else "No"
    out["automated_decision"] = si.automated_decision
    out["puid"] = si.puid
    return {k: v for k, v in out.items() if v is not None}


def dsa_submission(data: dict[str, Any]) -> dict[str, Any]:
    """A stored statement as the DSA database receives it: SalingJaga's own fields and the
    API's output-only fields removed."""
    return {k: v for k, v in data.items() if k not in LOCAL_FIELDS and k not in API_OUTPUT_FIELDS}


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _invalid(name: str, value: Any) -> str:
    day = REMOVED_VALUES.get(value) if isinstance(value, str) else None
    if day:
        return f"{name}: {_shown(value)} is not a valid value (removed from the DSA Transparency Database on {day})"
    return f"{name}: {_shown(value)} is not a valid value"


def validate_statement(data: dict[str, Any]) -> list[str]:
    """Every way ``data`` breaks the DSA Transparency Database API's statement rules
    (empty: valid). Each message starts with the field it is about."""
    if not isinstance(data, dict):
        return ["a statement must be a JSON object"]
    errors: list[str] = []

    def text(name: str, required: str | None = None) -> None:
        # ``required`` is None for an optional field, else the condition that requires it
        # ("" when it always is), which ends the message.
        value = data.get(name)
        if _empty(value):
            if required is not None:
                errors.append(f"{name} is required{required}")
            return
        if not isinstance(value, str):
            errors.append(f"{name} must be text")
        elif name in LIMITS and len(value) > LIMITS[name]:
            errors.append(f"{name} is longer than {LIMITS[name]} characters")

    def one_of(name: str, allowed: tuple[str, ...] | frozenset[str], required: bool = False) -> None:
        value = data.get(name)
        if _empty(value):
            if required:
                errors.append(f"{name} is required")
            return
        if not isinstance(value, str) or value not in allowed:
            errors.append(_invalid(name, value))

    def list_of(name: str, allowed: tuple[str, ...] | frozenset[str], required: bool = False) -> list[str]:
        value = data.get(name)
        if _empty(value):
            if required:
                errors.append(f"{name} is required (a non-empty list)")
            return []
        if not isinstance(value, list):
            errors.append(f"{name} must be a list")
            return []
        for v in value:
            if not isinstance(v, str) or v not in allowed:
                errors.append(_invalid(name, v))
        return [v for v in value if isinstance(v, str)]

    def day(name: str, required: bool, earliest: date | None) -> None:
        value = data.get(name)
        if _empty(value):
            if required:
                errors.append(f"{name} is required")
            return
        parsed = _parse_date(value)
        if parsed is None:
            errors.append(f"{name} must be a date as YYYY-MM-DD")
        elif earliest is not None and parsed < earliest:
            errors.append(f"{name} must be on or after {earliest.isoformat()}")
        elif parsed > LATEST_DATE:
            errors.append(f"{name} must be on or before {LATEST_DATE.isoformat()}")

    for key in data:
        if key not in KNOWN_FIELDS:
            errors.append(f"{key} is not a statement field")

    # What was restricted: at least one of the four kinds of decision.
    restrictions = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
    if all(_empty(data.get(k)) for k in restrictions):
        errors.append("at least one of decision_visibility, decision_monetary, decision_provision, "
                      "decision_account is required")
    visibility = list_of("decision_visibility", DECISION_VISIBILITIES)
    if "DECISION_VISIBILITY_OTHER" in visibility:
        text("decision_visibility_other", " when decision_visibility includes DECISION_VISIBILITY_OTHER")
    one_of("decision_monetary", DECISION_MONETARIES)
    if data.get("decision_monetary") == "DECISION_MONETARY_OTHER":
        text("decision_monetary_other", " when decision_monetary is DECISION_MONETARY_OTHER")
    one_of("decision_provision", DECISION_PROVISIONS)
    one_of("decision_account", DECISION_ACCOUNTS)
    one_of("account_type", ACCOUNT_TYPES)

    # On what ground: law (illegal content) or the terms of service (incompatible content).
    one_of("decision_ground", DECISION_GROUNDS, required=True)
    ground = data.get("decision_ground")
    if ground == "DECISION_GROUND_ILLEGAL_CONTENT":
        for name in ("illegal_content_legal_ground", "illegal_content_explanation"):
            text(name, " when decision_ground is DECISION_GROUND_ILLEGAL_CONTENT")
    if ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT":
        for name in ("incompatible_content_ground", "incompatible_content_explanation"):
            text(name, " when decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT")
        one_of("incompatible_content_illegal", YES_NO)
    text("decision_ground_reference_url")
    url = data.get("decision_ground_reference_url")
    if isinstance(url, str) and url and not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", url, re.IGNORECASE):
        errors.append("decision_ground_reference_url must be an http(s) URL")

    # What content, classified how.
    types = list_of("content_type", CONTENT_TYPES, required=True)
    if "CONTENT_TYPE_OTHER" in types:
        text("content_type_other", " when content_type includes CONTENT_TYPE_OTHER")
    one_of("category", STATEMENT_CATEGORIES, required=True)
    list_of("category_addition", STATEMENT_CATEGORIES)
    list_of("category_specification", KEYWORDS)
    text("category_specification_other")
    content_id = data.get("content_id")
    if not _empty(content_id) and not (
            isinstance(content_id, dict) and set(content_id) == {"EAN-13"}
            and isinstance(content_id["EAN-13"], str) and _EAN13.fullmatch(content_id["EAN-13"])):
        errors.append("content_id must be {\"EAN-13\": \"<13 digits>\"}")

    # Where and when.
    list_of("territorial_scope", EEA_COUNTRIES)
    lang = data.get("content_language")
    if not _empty(lang) and (not isinstance(lang, str) or lang not in LANGUAGES):
        errors.append(f"content_language: {_shown(lang)} is not one of the API's uppercase ISO 639-1 "
                      "codes (e.g. 'ID', 'EN')")
    day("content_date", True, EARLIEST_CONTENT_DATE)
    day("application_date", True, EARLIEST_APPLICATION_DATE)
    # End dates have no order rule against application_date: a restriction lifted on appeal
    # may end before a late-applied one began, and the API accepts that.
    for name in DATE_FIELDS:
        day(name, False, None)

    # Why, from whom, how automated, and which of the platform's statements this is.
    text("decision_facts", "")
    one_of("source_type", SOURCE_TYPES, required=True)
    text("source_identity")
    one_of("automated_detection", YES_NO, required=True)
    one_of("automated_decision", AUTOMATED_DECISIONS, required=True)
    puid = data.get("puid")
    text("puid", "")
    if isinstance(puid, str) and puid and not _PUID.fullmatch(puid):
        errors.append("puid may hold only letters, digits, '-' and '_'")
    return errors
