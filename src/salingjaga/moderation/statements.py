"""Statements of reasons in the shape of the DSA Transparency Database API.

Two pure functions: ``build_statement`` turns a decision into the DSA JSON, and
``validate_statement`` checks any such JSON against the database's field rules (the
transparency exports reuse it). Field names, enumerations and limits follow the API
documentation of transparency.dsa.ec.europa.eu (API v2 values: labelled and age-restricted
visibility, the v2 keyword list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from salingjaga.moderation import actions as A

DECISION_VISIBILITIES = (
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
)
DECISION_MONETARIES = (
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
)
DECISION_PROVISIONS = (
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
)
DECISION_ACCOUNTS = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
ACCOUNT_TYPES = ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE")
DECISION_GROUNDS = ("DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT")
YES_NO = ("Yes", "No")
CONTENT_TYPES = (
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
)
SOURCE_TYPES = (
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
)
AUTOMATED_DECISIONS = (
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
)
STATEMENT_CATEGORIES = (
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
)
# API v2 keywords (category_specification).
KEYWORDS = frozenset({
    "KEYWORD_ANIMAL_HARM", "KEYWORD_UNLAWFUL_SALE_ANIMALS",
    "KEYWORD_HIDDEN_ADVERTISEMENT", "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
    "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS", "KEYWORD_MISLEADING_INFO_GOODS_SERVICES",
    "KEYWORD_NONCOMPLIANCE_PRICING",
    "KEYWORD_CYBER_BULLYING_INTIMIDATION", "KEYWORD_CYBER_HARASSMENT", "KEYWORD_CYBER_INCITEMENT",
    "KEYWORD_CYBER_STALKING", "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    "KEYWORD_BULLYING_AGAINST_GIRLS", "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
    "KEYWORD_CYBER_STALKING_AGAINST_WOMEN", "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
    "KEYWORD_INCITEMENT_AGAINST_WOMEN", "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    "KEYWORD_BIOMETRIC_DATA_BREACH", "KEYWORD_MISSING_PROCESSING_GROUND",
    "KEYWORD_RIGHT_TO_BE_FORGOTTEN", "KEYWORD_DATA_FALSIFICATION",
    "KEYWORD_DEFAMATION", "KEYWORD_DISCRIMINATION", "KEYWORD_HATE_SPEECH",
    "KEYWORD_COPYRIGHT_INFRINGEMENT", "KEYWORD_DESIGN_INFRINGEMENT",
    "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT", "KEYWORD_PATENT_INFRINGEMENT",
    "KEYWORD_TRADE_SECRET_INFRINGEMENT", "KEYWORD_TRADEMARK_INFRINGEMENT",
    "KEYWORD_MISINFORMATION_DISINFORMATION", "KEYWORD_VIOLATION_EU_LAW",
    "KEYWORD_VIOLATION_NATIONAL_LAW",
    "KEYWORD_ONLINE_BULLYING_INTIMIDATION", "KEYWORD_STALKING",
    "KEYWORD_ADULT_SEXUAL_MATERIAL",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE", "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
    "KEYWORD_UNSAFE_CHALLENGES",
    "KEYWORD_ILLEGAL_ORGANIZATIONS", "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE",
    "KEYWORD_RISK_PUBLIC_HEALTH", "KEYWORD_TERRORIST_CONTENT",
    "KEYWORD_INAUTHENTIC_ACCOUNTS", "KEYWORD_INAUTHENTIC_LISTINGS",
    "KEYWORD_INAUTHENTIC_USER_REVIEWS", "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
    "KEYWORD_PHISHING", "KEYWORD_PYRAMID_SCHEMES",
    "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS", "KEYWORD_SELF_MUTILATION", "KEYWORD_SUICIDE",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS", "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
    "KEYWORD_GOODS_SERVICES_NOT_PERMITTED", "KEYWORD_LANGUAGE_REQUIREMENTS", "KEYWORD_NUDITY",
    "KEYWORD_PROHIBITED_PRODUCTS", "KEYWORD_UNSAFE_PRODUCTS",
    "KEYWORD_COORDINATED_HARM", "KEYWORD_HUMAN_EXPLOITATION", "KEYWORD_HUMAN_TRAFFICKING",
    "KEYWORD_INCITEMENT_VIOLENCE_HATRED", "KEYWORD_TRAFFICKING_WOMEN_GIRLS",
    "KEYWORD_OTHER",
})
EU_COUNTRIES = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)
EEA_COUNTRIES = (*EU_COUNTRIES, "IS", "LI", "NO")
# A removal applies everywhere the service is offered; for the DSA that is the EEA.
DEFAULT_TERRITORIAL_SCOPE = tuple(sorted(EEA_COUNTRIES))

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
KNOWN_FIELDS = frozenset({
    "decision_visibility", "decision_visibility_other", "decision_monetary",
    "decision_monetary_other", "decision_provision", "decision_account", "account_type",
    "decision_ground", "decision_ground_reference_url", "illegal_content_legal_ground",
    "illegal_content_explanation", "incompatible_content_ground",
    "incompatible_content_explanation", "incompatible_content_illegal", "content_type",
    "content_type_other", "category", "category_addition", "category_specification",
    "category_specification_other", "territorial_scope", "content_language", "content_date",
    "application_date", "decision_facts", "source_type", "source_identity",
    "automated_detection", "automated_decision", "puid", *DATE_FIELDS,
})
_PUID = re.compile(r"^[A-Za-z0-9_-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANG = re.compile(r"^[A-Z]{2}$")

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
    territorial_scope: tuple[str, ...] = field(default=DEFAULT_TERRITORIAL_SCOPE)
    ground_reference_url: str | None = None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    out["category"] = si.dsa_category
    keywords = [k for k in si.dsa_keywords if k in KEYWORDS]
    if keywords:
        out["category_specification"] = keywords
        if "KEYWORD_OTHER" in keywords:
            out["category_specification_other"] = _clip(si.policy_name, 500)
    out["territorial_scope"] = list(si.territorial_scope)
    if si.content_language and len(si.content_language) >= 2:
        out["content_language"] = si.content_language[:2].upper()
    out["content_date"] = max(si.content_date, date(2000, 1, 1)).isoformat()
    out["application_date"] = max(si.application_date, date(2020, 1, 1)).isoformat()
    out["decision_facts"] = _clip(si.facts.strip() or si.policy_name, 5000)
    out["source_type"] = SOURCE_TYPE_FOR[si.source]
    out["automated_detection"] = "Yes" if si.automated_detection else "No"
    out["automated_decision"] = si.automated_decision
    out["puid"] = si.puid
    return {k: v for k, v in out.items() if v is not None}


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def validate_statement(data: dict[str, Any]) -> list[str]:
    """Every way ``data`` breaks the DSA Transparency Database field rules (empty: valid)."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["a statement must be a JSON object"]

    def one_of(name: str, allowed: tuple[str, ...] | frozenset[str], required: bool = False) -> None:
        value = data.get(name)
        if _empty(value):
            if required:
                errors.append(f"{name} is required")
            return
        if value not in allowed:
            errors.append(f"{name}: {value!r} is not a valid value")

    def list_of(name: str, allowed: tuple[str, ...] | frozenset[str], required: bool = False) -> list[Any]:
        value = data.get(name)
        if _empty(value):
            if required:
                errors.append(f"{name} is required (a non-empty list)")
            return []
        if not isinstance(value, list):
            errors.append(f"{name} must be a list")
            return []
        for v in value:
            if v not in allowed:
                errors.append(f"{name}: {v!r} is not a valid value")
        if len(set(map(str, value))) != len(value):
            errors.append(f"{name} lists a value twice")
        return value

    for key in data:
        if key not in KNOWN_FIELDS:
            errors.append(f"{key} is not a statement field")
    restrictions = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
    if all(_empty(data.get(k)) for k in restrictions):
        errors.append("at least one of decision_visibility, decision_monetary, decision_provision, "
                      "decision_account is required")
    visibility = list_of("decision_visibility", DECISION_VISIBILITIES)
    if "DECISION_VISIBILITY_OTHER" in visibility and _empty(data.get("decision_visibility_other")):
        errors.append("decision_visibility_other is required when decision_visibility is DECISION_VISIBILITY_OTHER")
    one_of("decision_monetary", DECISION_MONETARIES)
    if data.get("decision_monetary") == "DECISION_MONETARY_OTHER" and _empty(data.get("decision_monetary_other")):
        errors.append("decision_monetary_other is required when decision_monetary is DECISION_MONETARY_OTHER")
    one_of("decision_provision", DECISION_PROVISIONS)
    one_of("decision_account", DECISION_ACCOUNTS)
    one_of("account_type", ACCOUNT_TYPES)

    one_of("decision_ground", DECISION_GROUNDS, required=True)
    ground = data.get("decision_ground")
    if ground == "DECISION_GROUND_ILLEGAL_CONTENT":
        for name in ("illegal_content_legal_ground", "illegal_content_explanation"):
            if _empty(data.get(name)):
                errors.append(f"{name} is required when decision_ground is DECISION_GROUND_ILLEGAL_CONTENT")
    if ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT":
        for name in ("incompatible_content_ground", "incompatible_content_explanation"):
            if _empty(data.get(name)):
                errors.append(f"{name} is required when decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT")
        one_of("incompatible_content_illegal", YES_NO)

    types = list_of("content_type", CONTENT_TYPES, required=True)
    if "CONTENT_TYPE_OTHER" in types and _empty(data.get("content_type_other")):
        errors.append("content_type_other is required when content_type includes CONTENT_TYPE_OTHER")
    one_of("category", STATEMENT_CATEGORIES, required=True)
    list_of("category_addition", STATEMENT_CATEGORIES)
    list_of("category_specification", KEYWORDS)
    list_of("territorial_scope", EEA_COUNTRIES, required=True)
    lang = data.get("content_language")
    if not _empty(lang) and not (isinstance(lang, str) and _LANG.match(lang)):
        errors.append("content_language must be an uppercase two-letter ISO 639-1 code")

    content_date = _parse_date(data.get("content_date"))
    if _empty(data.get("content_date")):
        errors.append("content_date is required")
    elif content_date is None:
        errors.append("content_date must be a date as YYYY-MM-DD")
    elif content_date < date(2000, 1, 1):
        errors.append("content_date must be on or after 2000-01-01")
    application = _parse_date(data.get("application_date"))
    if _empty(data.get("application_date")):
        errors.append("application_date is required")
    elif application is None:
        errors.append("application_date must be a date as YYYY-MM-DD")
    elif application < date(2020, 1, 1):
        errors.append("application_date must be on or after 2020-01-01")
    for name in DATE_FIELDS:
        if _empty(data.get(name)):
            continue
        end = _parse_date(data.get(name))
        if end is None:
            errors.append(f"{name} must be a date as YYYY-MM-DD")
        elif application is not None and end < application:
            errors.append(f"{name} must be on or after application_date")

    if _empty(data.get("decision_facts")):
        errors.append("decision_facts is required")
    one_of("source_type", SOURCE_TYPES, required=True)
    one_of("automated_detection", YES_NO, required=True)
    one_of("automated_decision", AUTOMATED_DECISIONS, required=True)
    puid = data.get("puid")
    if _empty(puid):
        errors.append("puid is required")
    elif not isinstance(puid, str) or not _PUID.match(puid):
        errors.append("puid may hold only letters, digits, '-' and '_'")
    for name, limit in LIMITS.items():
        value = data.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors.append(f"{name} is longer than {limit} characters")
    return errors
