"""When a decision needs a second human: high-reach content and GPPPA accounts (PRODUCT P3).

The rule lives in ``second_review.toml``: a moderator's decision that restricts content
(remove, fyp_exclude, age_restrict) or acts on the account, about content with at least
``reach_views`` views or by a GPPPA account (government, politician, political party), is
recorded with ``second_review = "pending"`` and a case of kind ``second_review`` is queued at
``level`` (senior moderators or higher) for a different human, who confirms it (``uphold``)
or overturns it (``reverse``).

Chosen behaviour: the restriction is applied at once and the second review confirms or
overturns it. Why this is the safer behaviour for election speech on this platform:

- The content that reaches this rule is the content where delay does the most harm: viral
  false voting procedures or calls to disrupt in the quiet period and on voting day (the
  very cases with a 2-hour deadline). A vote cast on a false procedure cannot be recast;
  a wrongful restriction can be undone completely.
- Undoing is complete and fast: the second-review case sits at the top of the senior queue
  with the case's deadline, an overturn restores the content's and the account's previous
  state, and it never falls to the moderator who restricted.
- The creator is told at once, with the statement of reasons (DSA Art. 17 requires it no
  later than the restriction) and that a second review is pending; they may appeal at once.
  When the second review ends they are told the final outcome; an overturned restriction's
  statement gets its end date (the day it was lifted), and the notifiers' notices point at
  the final decision, so feedback counts it as not actioned.
- It keeps one meaning for "a decision": what a moderator decides takes effect, as the
  console, the partner portal and the appeal flow already promise.

The alternative (hold the restriction until confirmed) protects a wrongly reported
politician's post for the time a senior moderator takes, at the price of leaving violating
viral election content up for the same time; switching would mean deferring the content
change, the statement and the notifications to the confirmation.

Pure functions here; the workflow is in ``service``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("second_review.toml")
LEVELS = ("moderator", "senior_moderator", "policy_lead")


@dataclass(frozen=True)
class SecondReviewRules:
    """The configured rule."""

    reach_views: int
    gpppa: bool
    actions: frozenset[str]
    level: str


def parse_rules(data: dict[str, object]) -> SecondReviewRules:
    """Rules from the TOML table, checked."""
    reach = data.get("reach_views", 100_000)
    level = data.get("level", "senior_moderator")
    actions = data.get("actions", [])
    if not isinstance(reach, int) or reach < 0:
        raise ValueError("second_review.toml: reach_views must be a non-negative integer")
    if level not in LEVELS[1:]:
        raise ValueError("second_review.toml: level must be senior_moderator or policy_lead")
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise ValueError("second_review.toml: actions must be a list of action names")
    return SecondReviewRules(reach_views=reach, gpppa=bool(data.get("gpppa", True)),
                             actions=frozenset(actions), level=str(level))


@lru_cache(maxsize=1)
def load_rules() -> SecondReviewRules:
    """The rules shipped in ``second_review.toml``."""
    return parse_rules(tomllib.loads(RULES_FILE.read_text("utf-8")))


def reasons_for(rules: SecondReviewRules, actions: list[str], views: int, gpppa: bool) -> list[str]:
    """Why these decided actions need a second review (empty: they do not)."""
    if not any(a in rules.actions for a in actions):
        return []
    why = []
    if views >= rules.reach_views:
        why.append(f"high reach: {views} views (threshold {rules.reach_views})")
    if rules.gpppa and gpppa:
        why.append("GPPPA account")
    return why
