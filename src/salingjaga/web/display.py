"""The one display layer: what a person reads in place of a stored code or a raw number.

Every template receives these as Jinja filters (``{{ case.status | status }}``,
``{{ n.received_at | wib }}``, ``{{ f.size | size }}``), so a code written by any domain is
shown in the page's language the same way everywhere. Labels are English message ids
translated through the shell's catalogue (``locale/id/LC_MESSAGES/display.po``). A code
this module does not know is shown as words (``some_new_state`` -> "Some new state"),
never as the code itself, so a new value degrades to plain text rather than to jargon.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from salingjaga.core.timeutil import WIB
from salingjaga.web import permission_words, reasons, routing_words, signal_words

# Message ids (English) per vocabulary. A code may appear in several vocabularies with
# different meanings (``decided`` is a notice status and a case status): the filter names
# the vocabulary.
STATUS: Mapping[str, str] = {
    # notices, as the partner follows them
    "received": "Received", "in_review": "Under review", "decided": "Decided",
    "appealed": "Appealed", "rejected": "Rejected",
    # cases
    "open": "Waiting", "leased": "Claimed", "on_hold": "On hold", "escalated": "Escalated",
    # appeals
    "upheld": "Upheld", "reversed": "Reversed", "changed": "Changed",
    # content, referrals, deliveries
    "active": "Visible", "removed": "Removed", "sent": "Sent to the fact-checker", "done": "Answered",
    "pending": "Pending", "delivered": "Delivered", "failed": "Failed",
    "draft": "Draft", "approved": "Approved", "published": "Published", "superseded": "Replaced",
}
ROLE: Mapping[str, str] = {
    "admin": "Administrator", "moderator": "Moderator", "senior_moderator": "Senior moderator",
    "policy_lead": "Policy lead", "fact_checker": "Fact-checker", "guide_editor": "Guide editor",
    "partner_reporter": "Partner reporter", "partner_admin": "Partner administrator",
    "service": "Platform service", "auditor": "Auditor", "user": "User",
}
SOURCE: Mapping[str, str] = {
    "trusted_flagger": "Trusted flagger", "partner": "Partner", "user_report": "User report",
    "proactive": "Automated detection", "rules": "Election rules", "appeal": "Appeal",
    "second_review": "Second review", "api": "Platform",
}
SIGNAL: Mapping[str, str] = {
    "claim_match": "Matches a fact-checked claim", "classifier": "Text classifier",
    "text_classifier": "Text classifier", "scam_pattern": "Scam pattern", "fundraising": "Fundraising appeal",
    "media_hash_match": "Matches known media", "media_hash": "Matches known media",
    "md5_match": "Identical to a known file", "c2pa_ai": "Declared AI-generated (content credentials)",
    "c2pa_ai_unverified": "Claims to be AI-generated (unverified credentials)",
    "synthetic": "Synthetic media", "near_duplicate": "Near-duplicate of other posts",
    "coordinated_burst": "Coordinated burst of posts", "patterns": "Known pattern",
    "unlabelled_ai_public_figure": "Unlabelled AI image of a public figure",
    "election_related": "About the election",
}
ACTION: Mapping[str, str] = {
    "remove": "Remove", "fyp_exclude": "Keep out of For You", "label_unverified": "Label: unverified",
    "label_ai_generated": "Label: AI-generated", "label_election_notice": "Label: election notice",
    "age_restrict": "Age-restrict", "no_violation": "No violation", "strike": "Strike",
    "restrict_feature": "Restrict a feature", "suspend": "Suspend", "ban": "Ban",
    "uphold": "Uphold the decision", "reverse": "Reverse the decision",
}
# What was done, once done (an outcome badge reads "Removed", not the instruction "Remove").
OUTCOME: Mapping[str, str] = {
    "remove": "Removed", "fyp_exclude": "Kept out of For You", "label_unverified": "Labelled unverified",
    "label_ai_generated": "Labelled AI-generated", "label_election_notice": "Labelled with the election notice",
    "age_restrict": "Age-restricted", "no_violation": "No violation found", "strike": "Strike given",
    "restrict_feature": "Feature restricted", "suspend": "Suspended", "ban": "Banned",
    "uphold": "Decision upheld", "reverse": "Decision reversed",
}
VERDICT: Mapping[str, str] = {
    "false": "False", "misleading": "Misleading", "mixed": "Partly true", "true": "True",
    "satire": "Satire", "unproven": "Unproven", "other": "Other", "unrated": "Not rated",
    # as publishers and the routing rules also write them
    "unverified": "Unverified", "pending": "Pending", "awaiting": "Awaiting a verdict",
    "in_review": "Under review", "hoax": "Hoax", "salah": "False", "keliru": "Wrong",
    "partly_false": "Partly false", "altered": "Altered",
}
PARTNER_KIND: Mapping[str, str] = {
    "election_supervisor": "Election supervisor (Bawaslu)", "election_commission": "Election commission (KPU)",
    "civil_society": "Civil society", "fact_checker": "Fact-checker", "regulator": "Regulator",
}
ACCOUNT_KIND: Mapping[str, str] = {
    "personal": "Personal account", "business": "Business account", "government": "Government account",
    "politician": "Politician", "political_party": "Political party",
}
CONTENT_KIND: Mapping[str, str] = {"video": "Video", "image": "Image", "text": "Text", "live": "Live"}
LABEL: Mapping[str, str] = {
    "unverified": "Unverified", "ai_generated": "AI-generated", "election_notice": "Election notice",
}
LEVEL: Mapping[str, str] = {
    "moderator": "First review", "senior_moderator": "Senior review", "policy_lead": "Policy lead review",
}
CASE_KIND: Mapping[str, str] = {"review": "First review", "second_review": "Second review", "appeal": "Appeal"}
# Levels of the part of a priority inside its source tier (severity x 1000, the election
# calendar, reach; see moderation.priority): the source is shown beside it.
PRIORITY_TIER = 10_000
PRIORITY_LEVELS: tuple[tuple[int, str], ...] = (
    (6000, "Urgent"), (4500, "High"), (3000, "Medium"), (0, "Low"),
)
# The DSA statement-of-reasons codes, said plainly (the codes themselves stay folded away
# under "technical fields" for whoever files them with the transparency database).
DSA: Mapping[str, str] = {
    "DECISION_VISIBILITY_CONTENT_REMOVED": "The content is removed",
    "DECISION_VISIBILITY_CONTENT_DISABLED": "The content is disabled",
    "DECISION_VISIBILITY_CONTENT_DEMOTED": "The content is shown less (kept out of recommendations)",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED": "The content is shown to adults only",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED": "Interaction with the content is restricted",
    "DECISION_VISIBILITY_CONTENT_LABELLED": "The content carries a label",
    "DECISION_VISIBILITY_OTHER": "Another restriction of visibility",
    "DECISION_ACCOUNT_SUSPENDED": "The account is suspended", "DECISION_ACCOUNT_TERMINATED": "The account is closed",
    "DECISION_MONETARY_SUSPENSION": "Earnings are suspended", "DECISION_MONETARY_TERMINATION": "Earnings are stopped",
    "DECISION_MONETARY_OTHER": "Another restriction of earnings",
    "DECISION_PROVISION_PARTIAL_SUSPENSION": "Part of the service is suspended",
    "DECISION_PROVISION_TOTAL_SUSPENSION": "The service is suspended",
    "DECISION_PROVISION_PARTIAL_TERMINATION": "Part of the service is ended",
    "DECISION_PROVISION_TOTAL_TERMINATION": "The service is ended",
    "DECISION_GROUND_ILLEGAL_CONTENT": "Illegal under the law",
    "DECISION_GROUND_INCOMPATIBLE_CONTENT": "Against the platform's rules",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": "Harm to civic discourse or elections",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH": "Illegal or harmful speech",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": "Scams and fraud",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC": "Other breach of the rules",
    "STATEMENT_CATEGORY_VIOLENCE": "Violence", "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY": "Risk to public security",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS": "Privacy violation",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS": "Protection of minors",
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE": "Outside the scope of the service",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE": "Not specified",
    "SOURCE_TRUSTED_FLAGGER": "A trusted flagger's notice", "SOURCE_TYPE_OTHER_NOTIFICATION": "A notice or report",
    "SOURCE_ARTICLE_16": "A notice or report", "SOURCE_VOLUNTARY": "The platform's own review",
    "AUTOMATED_DETECTION_YES": "Found by automated detection", "AUTOMATED_DETECTION_NO": "Found by people",
    "AUTOMATED_DECISION_FULLY": "Decided automatically", "AUTOMATED_DECISION_PARTIALLY": "Decided with automated help",
    "AUTOMATED_DECISION_NOT_AUTOMATED": "Decided by a person",
    "CONTENT_TYPE_VIDEO": "Video", "CONTENT_TYPE_IMAGE": "Image", "CONTENT_TYPE_TEXT": "Text",
    "CONTENT_TYPE_AUDIO": "Audio", "CONTENT_TYPE_SYNTHETIC_MEDIA": "Synthetic media", "CONTENT_TYPE_OTHER": "Other",
}
AUDIT_ACTION: Mapping[str, str] = {
    "account.created": "Account recorded", "api_key.created": "API key issued", "api_key.revoked": "API key revoked",
    "case.claimed": "Case claimed", "case.joined": "Joined an open case", "case.opened": "Case opened",
    "case.second_review_opened": "Second review opened", "case.escalated": "Case escalated",
    "case.held": "Case put on hold",
    "case.released": "Case released", "content.created": "Content received",
    "content.state_changed": "Content changed on the platform",
    "decision.automated": "Automated decision", "decision.made": "Decision recorded",
    "detection.signals": "Signals found",
    "factcheck.created": "Fact-check recorded", "guide.draft_created": "Guide draft written",
    "guide.published": "Guide published",
    "guide.tag_applied": "Guide link added", "hashbank.created": "Hash bank created",
    "hashbank.imported": "Hash bank imported",
    "notice.received": "Notice received", "partner.created": "Partner created", "partner.updated": "Partner changed",
    "session.started": "Signed in", "session.ended": "Signed out", "user.created": "User created",
    "user.deactivated": "User deactivated", "user.reactivated": "User reactivated", "appeal.created": "Appeal filed",
    "referral.created": "Sent to a fact-checker", "rules.campaign_finding": "Campaign rule finding",
    "rules.campaign_account_registered": "Campaign account registered", "rules.candidate_added": "Candidate added",
    "rules.classification_proposed": "Account classification proposed",
    "rules.psa_approved": "Public service notice approved",
}
# The fields an audit entry's before/after records, and the vocabulary their values use.
AUDIT_FIELD: Mapping[str, str] = {
    "status": "State", "fyp_excluded": "Kept out of For You", "age_restricted": "Age-restricted",
    "labels": "Labels", "role": "Role", "active": "Active", "kind": "Kind", "name": "Name",
    "trusted_flagger": "Trusted flagger", "region": "Region", "policy": "Policy", "action": "Action",
}
# What an audit entry concerns (its ``entity_type``).
ENTITY: Mapping[str, str] = {
    "account": "Account", "api_key": "API key", "appeal": "Appeal", "campaign_account": "Campaign account",
    "candidate": "Candidate", "case": "Case", "content": "Content", "decision": "Decision",
    "factcheck": "Fact-check", "guide_page": "Guide page", "guide_version": "Guide version",
    "hash_bank": "Bank of known media", "invitation": "Invitation", "login": "Sign-in", "notice": "Notice",
    "partner": "Partner", "policy_library_version": "Policy library version", "referral": "Fact-check request",
    "training_attempt": "Practice attempt", "user": "User", "webhook_delivery": "Webhook delivery",
}
AUDIT_VALUES: Mapping[str, str] = {
    "status": "status", "labels": "content_label", "role": "role", "kind": "partner_kind", "action": "action",
}
# The form fields an input error can name (``core.errors.invalid_input``).
FIELD: Mapping[str, str] = {
    "content": "Posts reported", "url": "Post address", "policy": "Policy", "legal_ground": "Legal ground",
    "explanation": "Explanation", "region": "Region", "election": "Election", "contact": "Contact",
    "good_faith": "Good-faith declaration", "evidence": "Evidence files", "title": "Title", "body": "Text",
    "key": "Key", "kind": "Kind", "lang": "Language", "form": "The form",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

VOCABULARIES: Mapping[str, Mapping[str, str]] = {
    "status": STATUS, "role": ROLE, "source": SOURCE, "signal": SIGNAL, "action": ACTION,
    "outcome": OUTCOME, "verdict": VERDICT, "partner_kind": PARTNER_KIND, "account_kind": ACCOUNT_KIND,
    "content_kind": CONTENT_KIND, "content_label": LABEL, "level": LEVEL, "case_kind": CASE_KIND,
    "dsa": DSA, "audit_action": AUDIT_ACTION, "audit_field": AUDIT_FIELD,
    "entity": ENTITY, "field": FIELD,
}


DSA_PREFIXES = ("STATEMENT_CATEGORY_", "DECISION_VISIBILITY_", "DECISION_GROUND_", "CONTENT_TYPE_", "SOURCE_TYPE_")


def words(code: str) -> str:
    """An unknown code as words: ``some_new_state`` -> ``Some new state``."""
    text = str(code)
    for prefix in DSA_PREFIXES:
        text = text.removeprefix(prefix)
    if text.isupper():
        text = text.lower()
    text = text.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def label(translate: Callable[[str], str], vocabulary: str, code: Any) -> str:
    """The label of ``code`` in one vocabulary, in the page's language."""
    if code is None or code == "":
        return ""
    known = VOCABULARIES[vocabulary].get(str(code))
    return translate(known) if known else words(str(code))


def priority(translate: Callable[[str], str], value: Any) -> str:
    """A priority score as a level a person can compare at a glance."""
    try:
        score = int(value) % PRIORITY_TIER
    except (TypeError, ValueError):
        return ""
    for floor, name in PRIORITY_LEVELS:
        if score >= floor:
            return translate(name)
    return translate(PRIORITY_LEVELS[-1][1])


def to_wib(value: datetime) -> datetime:
    """A stored time (UTC, naive values are UTC) in Western Indonesian Time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(WIB)


def wib(translate: Callable[[str], str], value: Any, with_time: bool = True) -> str:
    """``3 Desember 2026 20.14 WIB``: day, localised month, year and the zone named."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        moment = to_wib(value)
        day = f"{moment.day} {translate(MONTHS[moment.month - 1])} {moment.year}"
        return f"{day} {moment:%H.%M} WIB" if with_time else day
    if isinstance(value, date):
        return f"{value.day} {translate(MONTHS[value.month - 1])} {value.year}"
    return str(value)


def size(value: Any) -> str:
    """Bytes as ``6.4 MB``."""
    try:
        n = float(value)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{int(n)} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def duration(translate: Callable[[str], str], value: Any) -> str:
    """Seconds (or a timedelta) as ``2 h 5 min``, ``40 s``; ``0`` as ``under a minute``."""
    if value is None or value == "":
        return "—"
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    seconds = max(0, round(seconds))
    if seconds < 60:
        return translate("under a minute")
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(f"{days} {translate('d')}")
    if hours:
        parts.append(f"{hours} {translate('h')}")
    if minutes and not days:
        parts.append(f"{minutes} {translate('min')}")
    return " ".join(parts)


FILE_KINDS: Mapping[str, str] = {"image": "Image", "video": "Video", "audio": "Audio", "text": "Text",
                                  "application": "Document"}


def file_type(translate: Callable[[str], str], mime: Any) -> str:
    """A media type as a person names it: ``image/png`` -> ``Image (PNG)``."""
    kind, _, sub = str(mime or "").partition("/")
    sub = sub.split(";")[0].split("+")[0].removeprefix("x-").removeprefix("vnd.")
    name = translate(FILE_KINDS[kind]) if kind in FILE_KINDS else translate("File")
    return f"{name} ({sub.upper()})" if sub else name


# Server messages that carry a value: matched, then said in the page's language with the
# value kept. Exact messages are looked up in the catalogue as they are.
MESSAGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"no content with url '(?P<ref>.+)' is known to the platform"),
     "No post with the address %(ref)s is known to the platform yet. Check the link; if it is right, "
     "file the notice again once the platform has sent the post."),
    (re.compile(r"content '(?P<ref>.+)' is not known to the platform"),
     "The post %(ref)s is not known to the platform. Check the reference and send the notice again."),
)


def server_message(translate: Callable[[str], str], text: Any) -> str:
    """A server's message in the page's language: an error with a known ``reason`` said
    with its next step (``reasons``), else the message from the catalogue, or by
    pattern."""
    if not text:
        return ""
    known = reasons.explain(translate, lambda v, c: label(translate, v, c), size, text)
    if known:
        return known
    message = str(text["message"] if isinstance(text, Mapping) else getattr(text, "message", text))
    translated = translate(message)
    if translated != message:
        return translated
    for pattern, template in MESSAGE_PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return translate(template) % match.groupdict()
    return message


def number(value: Any, lang: str) -> str:
    """A count with the language's thousands separator (``250.000`` / ``250,000``)."""
    try:
        text = f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
    return text.replace(",", ".") if lang == "id" else text


def audit_value(translate: Callable[[str], str], value: Any, key: str) -> str:
    """A value an audit entry recorded before or after a change, as a person reads it: a
    code through the field's vocabulary, yes/no, a list joined, nothing as a dash."""
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return translate("yes") if value else translate("no")
    vocabulary = AUDIT_VALUES.get(key)
    items = value if isinstance(value, list) else [value]
    if vocabulary:
        return ", ".join(label(translate, vocabulary, v) for v in items)
    return ", ".join(str(v) for v in items)


def decimal(value: Any, lang: str, places: int = 2) -> str:
    """A fraction with the language's decimal mark (``0,85`` / ``0.85``)."""
    try:
        text = f"{float(value):.{places}f}"
    except (TypeError, ValueError):
        return str(value)
    return text.replace(".", ",") if lang == "id" else text


def filters(translate: Callable[[str], str], lang: str) -> dict[str, Callable[..., Any]]:
    """The Jinja filters of one language."""
    out: dict[str, Callable[..., Any]] = {
        name: (lambda code, _v=name: label(translate, _v, code)) for name in VOCABULARIES
    }

    def vocabulary_label(vocabulary: str, code: Any) -> str:
        return words(str(code)) if vocabulary == "words" else label(translate, vocabulary, code)

    out.update(
        signal_explained=lambda s: signal_words.explain(translate, vocabulary_label, s),
        route_when=lambda rule: routing_words.when(translate, vocabulary_label, lambda x: decimal(x, lang), rule),
        decimal=lambda v: decimal(v, lang),
        audit_value=lambda v, key: audit_value(translate, v, key),
        audit_coded=lambda v, key: isinstance(v, bool) or v in (None, "", []) or key in AUDIT_VALUES,
        route_then=lambda rule: routing_words.then(translate, vocabulary_label, rule),
        priority=lambda v: priority(translate, v),
        wib=lambda v, with_time=True: wib(translate, v, with_time),
        size=size,
        duration=lambda v: duration(translate, v),
        number=lambda v: number(v, lang),
        words=words,
        file_type=lambda mime: file_type(translate, mime),
        message=lambda text: server_message(translate, text),
        permission=lambda code: permission_words.permission(translate, words, code),
    )
    return out
