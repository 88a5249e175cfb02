"""The repeat-offender ladder: what an account action becomes given the account's history.

Pure: takes the strikes an account already has and the action a moderator asked for, and
returns the action actually applied. Thresholds are module constants so a platform can read
them in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from salingjaga.moderation.actions import BAN, RESTRICT_FEATURE, STRIKE, SUSPEND

# Strike count (after this strike) -> consequence.
RESTRICT_AT = 2
SUSPEND_AT = 3
LONG_SUSPEND_AT = 4
BAN_AT = 5
SUSPEND_DAYS = 7
LONG_SUSPEND_DAYS = 30
DEFAULT_FEATURE = "live"

_ORDER = {STRIKE: 0, RESTRICT_FEATURE: 1, SUSPEND: 2, BAN: 3}


@dataclass(frozen=True)
class AccountStep:
    """The account action to apply and what it sets."""

    action: str
    strikes_after: int
    suspend_days: int | None = None
    feature: str | None = None
    escalated: bool = False

    def describe(self) -> str:
        """A sentence for decision facts and notifications."""
        what = {
            STRIKE: "a strike",
            RESTRICT_FEATURE: f"restriction of the {self.feature} feature",
            SUSPEND: f"suspension for {self.suspend_days} days",
            BAN: "a permanent ban",
        }[self.action]
        note = " (escalated for repeated violations)" if self.escalated else ""
        return f"{what}; the account now has {self.strikes_after} strike(s){note}"


def ladder_step(strikes_after: int, feature: str) -> AccountStep:
    """The consequence the ladder gives for reaching ``strikes_after`` strikes."""
    if strikes_after >= BAN_AT:
        return AccountStep(BAN, strikes_after)
    if strikes_after >= LONG_SUSPEND_AT:
        return AccountStep(SUSPEND, strikes_after, suspend_days=LONG_SUSPEND_DAYS)
    if strikes_after >= SUSPEND_AT:
        return AccountStep(SUSPEND, strikes_after, suspend_days=SUSPEND_DAYS)
    if strikes_after >= RESTRICT_AT:
        return AccountStep(RESTRICT_FEATURE, strikes_after, feature=feature)
    return AccountStep(STRIKE, strikes_after)


def escalate(
    prior_strikes: int, requested: str, *, feature: str | None = None,
    suspend_days: int | None = None,
) -> AccountStep:
    """The action applied when ``requested`` is asked for an account with ``prior_strikes``.

    Every account action counts as a strike. The result is the harsher of what was asked
    and what the ladder gives for the new strike count, so a repeat offender escalates.
    """
    if requested not in _ORDER:
        raise ValueError(f"{requested!r} is not an account action")
    strikes_after = max(0, prior_strikes) + 1
    feat = feature or DEFAULT_FEATURE
    asked = AccountStep(
        requested, strikes_after,
        suspend_days=(suspend_days or SUSPEND_DAYS) if requested == SUSPEND else None,
        feature=feat if requested == RESTRICT_FEATURE else None,
    )
    by_ladder = ladder_step(strikes_after, feat)
    if _ORDER[by_ladder.action] > _ORDER[asked.action] or (
        by_ladder.action == SUSPEND == asked.action
        and (by_ladder.suspend_days or 0) > (asked.suspend_days or 0)
    ):
        return AccountStep(by_ladder.action, strikes_after, by_ladder.suspend_days,
                           by_ladder.feature, escalated=True)
    return asked
