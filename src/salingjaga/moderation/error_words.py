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
    "notification.account_missing": (
        "No account was named, so there are no notifications to list.",
        "Name the account whose notifications you want, then send the request again."),
    "notification.not_for_role": (
        "Accounts with the role %(role)s receive no notifications.",
        "Sign in with the account that receives them."),
    "case.unknown_source": (
        "The case names a source the platform does not know.",
        "Use one of the sources the API documentation lists, then send it again."),
    "case.changed": (
        "The case of this post changed while the request was handled; nothing was saved.",
        "Send the request again."),
    "case.unknown": ("The case %(ref)s does not exist.", "Go back to the queue and take the next case."),
    "case.not_reviewer": ("The role %(role)s does not review cases.", "Sign in as a moderator to work on the queue."),
    "decision.action_unknown": (
        "That action is not one a decision can take.",
        "Choose an action from the list, then decide again."),
    "decision.unknown": (
        "The decision %(ref)s does not exist.",
        "Check the reference, or open the decision from its notice or case."),
    "statement.unknown": (
        "The statement of reasons %(ref)s does not exist.",
        "Check the reference, or open the statement from its decision."),
    "review.action_unknown": (
        "A second review either upholds or reverses the decision.",
        "Choose to uphold or to reverse it, then decide again."),
    "appeal.of_appeal": (
        "The outcome of an appeal cannot itself be appealed.",
        "The statement of reasons names the other ways to seek redress."),
    "appeal.of_review": (
        "The outcome of a second review is not appealed on its own.",
        "Appeal the decision it reviewed instead."),
    "appeal.no_content": (
        "This decision concerns no post, so there is nothing to appeal.",
        "No further step is needed."),
    "appeal.unknown": ("The appeal of case %(ref)s was not found.", "Go back to the queue and take the next case."),
    "appeal.action_unknown": (
        "An appeal is decided by upholding or reversing the decision, or with an action on the post.",
        "Choose one of those, then decide again."),
}
