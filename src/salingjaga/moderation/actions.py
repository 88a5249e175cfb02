"""The action vocabulary shared across the product, and what each action means.

Pure data and functions: which content state an action sets, which DSA restriction it is,
and whether it restricts anything (only restrictions need a statement of reasons).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Content actions.
REMOVE = "remove"
FYP_EXCLUDE = "fyp_exclude"
LABEL_UNVERIFIED = "label_unverified"
LABEL_AI_GENERATED = "label_ai_generated"
LABEL_ELECTION_NOTICE = "label_election_notice"
AGE_RESTRICT = "age_restrict"
NO_VIOLATION = "no_violation"
# Account actions.
STRIKE = "strike"
RESTRICT_FEATURE = "restrict_feature"
SUSPEND = "suspend"
BAN = "ban"
# Outcomes of an appeal case.
UPHOLD = "uphold"
REVERSE = "reverse"

CONTENT_ACTIONS: tuple[str, ...] = (
    REMOVE, FYP_EXCLUDE, LABEL_UNVERIFIED, LABEL_AI_GENERATED, LABEL_ELECTION_NOTICE,
    AGE_RESTRICT, NO_VIOLATION,
)
ACCOUNT_ACTIONS: tuple[str, ...] = (STRIKE, RESTRICT_FEATURE, SUSPEND, BAN)
APPEAL_OUTCOMES: tuple[str, ...] = (UPHOLD, REVERSE)
ALL_ACTIONS: tuple[str, ...] = CONTENT_ACTIONS + ACCOUNT_ACTIONS

# Label names written on content items (what the app shows).
LABELS = {
    LABEL_UNVERIFIED: "unverified",
    LABEL_AI_GENERATED: "ai_generated",
    LABEL_ELECTION_NOTICE: "election_notice",
}


@dataclass(frozen=True)
class ContentChange:
    """Keyword arguments for ``content.service.set_content_state``."""

    status: str | None = None
    fyp_excluded: bool | None = None
    age_restricted: bool | None = None
    add_labels: list[str] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, object]:
        """The change as keyword arguments."""
        return {
            "status": self.status,
            "fyp_excluded": self.fyp_excluded,
            "age_restricted": self.age_restricted,
            "add_labels": list(self.add_labels),
        }


def content_change(action: str) -> ContentChange:
    """What a content action does to the item's visible state."""
    if action == REMOVE:
        return ContentChange(status="removed")
    if action == FYP_EXCLUDE:
        return ContentChange(fyp_excluded=True)
    if action == AGE_RESTRICT:
        return ContentChange(age_restricted=True)
    if action in LABELS:
        return ContentChange(add_labels=[LABELS[action]])
    if action == NO_VIOLATION:
        return ContentChange()
    raise ValueError(f"{action!r} is not a content action")


def is_content_action(action: str) -> bool:
    """Whether the action changes a content item (rather than an account)."""
    return action in CONTENT_ACTIONS


def is_account_action(action: str) -> bool:
    """Whether the action changes an account."""
    return action in ACCOUNT_ACTIONS


def is_restriction(action: str) -> bool:
    """Whether the action restricts the creator (DSA Art. 17: a statement of reasons is due).

    A strike alone is a warning that restricts nothing; no_violation restricts nothing; the
    election notice tag links election content to the official guide and restricts nothing.
    """
    return action not in (NO_VIOLATION, STRIKE, UPHOLD, REVERSE, LABEL_ELECTION_NOTICE)


def check_action(action: str, allowed: tuple[str, ...] = ALL_ACTIONS) -> str:
    """Return ``action`` or raise ValueError naming the valid ones."""
    if action not in allowed:
        raise ValueError(f"unknown action {action!r}; valid: {', '.join(allowed)}")
    return action
