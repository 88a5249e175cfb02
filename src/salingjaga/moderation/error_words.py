"""The moderation domain's errors as a page says them, keyed by the error's stable ``reason``:
what happened and what to do next, as English message ids translated through the
domain's catalogue (``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's
(``web.error_words``, registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "case.decided": ("This case has already been decided.", "Go back to the queue and take the next case."),
    "case.not_claimed": ("This case is not assigned to you.", "Claim it from the queue before deciding it."),
    "case.lease_expired": (
        "Your time to decide this case ran out and the case went back to the queue.",
        "Claim it again from the queue, then decide."),
    "case.other_level": (
        "This case is for a reviewer of another level (%(level)s).",
        "Leave it in the queue; a reviewer of that level will take it."),
    "case.at_top_level": (
        "The case is already with the policy leads.", "Decide it, or put it on hold with a note."),
    "case.not_on_hold": ("The case is not on hold.", "Reload the page to see where the case stands."),
    "decision.action_missing": ("No action was chosen.", "Choose what to do with the content, then decide again."),
    "decision.facts_missing": (
        "The decision has no facts.",
        "Write what you saw and why it breaks, or does not break, the policy; the statement of reasons quotes it."),
    "decision.legal_ground_without_restriction": (
        "A legal ground was given but nothing is restricted.",
        "Remove the legal ground, or choose an action that restricts the content."),
    "review.own_decision": (
        "You took this decision, so its second review falls to someone else.",
        "Leave the case for another senior moderator and take the next one."),
    "review.nothing_left": (
        "This decision has nothing left to review: an appeal has decided it.", "Go back to the queue."),
    "appeal.own_decision": (
        "You took the decision under appeal, so another moderator decides the appeal.",
        "Leave the case for another moderator and take the next one."),
    "appeal.already_open": (
        "An appeal against this decision is already open.", "Wait for its outcome; you will be told."),
    "appeal.already_reversed": ("This decision has already been reversed.", "There is nothing left to appeal."),
    "appeal.nothing_done": (
        "Nothing was done to the content, so the creator has nothing to appeal.", "No further step is needed."),
    "appeal.notifier_after_action": (
        "A notifier may appeal only when nothing was done to the content.",
        "If the action taken is not enough, file a new notice that says why."),
    "appeal.needs_content_action": (
        "Nothing was done to the content, so reversing the decision changes nothing.",
        "To act on the notifier's appeal, choose a content action."),
}
