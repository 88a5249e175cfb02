"""A service's error as a page says it: what went wrong and what to do next, in the page's
language, keyed by the error's stable ``reason`` (``core.errors.APIError``).

The API keeps its English ``message`` as part of its contract; the pages never show it
when they know the reason. Each entry is a pair of English message ids (translated through
the shell's catalogue): what happened, with the error's ``params`` filled in, and the next
step. An error without a known reason falls back to the display layer's message filter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Translate = Callable[[str], str]
Label = Callable[[str, Any], str]

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "content.unknown_url": (
        "No post with the address %(url)s is known to the platform yet.",
        "Check the link; if it is right, file the notice again once the platform has sent the post."),
    "content.unknown_id": (
        "The post %(ref)s is not known to the platform.",
        "Check the reference and send the notice again."),
    "evidence.empty": ("An evidence file is empty.", "Choose the file again and send the form again."),
    "evidence.too_large": (
        "An evidence file is larger than %(limit)s.",
        "Attach a smaller file, such as a screenshot instead of a video, and send the form again."),
    "evidence.type": (
        "This kind of evidence file is not accepted.",
        "Attach a PNG, JPEG, GIF or WebP image, an MP4 or WebM video, or a PDF."),
    "evidence.too_many": (
        "A notice takes at most %(n)s evidence files.",
        "Attach the most important files and describe the others in the explanation."),
    "notice.good_faith_missing": (
        "The notice was not sent: the good-faith declaration is not ticked.",
        "Tick the declaration that the notice is made in good faith, then send it again."),
    "notice.explanation_missing": (
        "The notice says neither why the post breaks the policy nor which law it breaks.",
        "Write an explanation or a legal ground, then send it again."),
    "region.unknown": (
        "The region %(code)s is not known.",
        "Choose a region from the list, or write a Kemendagri code such as 32 or 32.73."),
    "election.unknown": ("The election %(code)s is not known.", "Choose an election from the list."),
    "policy.unknown": ("The policy %(code)s is not known.", "Choose a policy from the list of the policy library."),
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
    "user.email_taken": (
        "%(email)s already has an account.", "Use another e-mail address, or reactivate the existing account."),
    "user.partner_missing": (
        "The role %(role)s works for a partner organisation, and none was chosen.",
        "Choose the person's organisation, then save again."),
    "user.deactivate_self": ("You cannot deactivate your own account.", "Ask another administrator to do it."),
    "email.invalid": ("That is not an e-mail address.", "Check the address and send the form again."),
    "password.too_short": ("The password is too short.", "Choose a password of at least %(n)s characters."),
    "password.mismatch": ("The two passwords differ.", "Type the same password in both fields."),
    "invitation.invalid": (
        "This invitation link is not valid.", "Check that the whole link was copied, or ask for a new invitation."),
    "invitation.used": (
        "This invitation link was already used.", "Sign in with the password you chose, or ask for a new invitation."),
    "invitation.expired": ("This invitation link has expired.", "Ask the person who invited you for a new one."),
    "second_factor.wrong_code": (
        "That is not the current code of your authenticator app.",
        "Type the newest code; if it keeps failing, check that the phone's clock is right."),
    "library.section_empty": ("A section of the page is empty.", "Write every section, then save again."),
    "library.section_too_long": (
        "A section is longer than %(n)s characters.", "Shorten it, then save again."),
    "four_eyes.own_draft": (
        "You wrote this draft, so another policy lead must approve or reject it.",
        "Ask another policy lead to review it."),
    "factcheck.claim_empty": ("The claim is empty.", "Write the claim as it circulates, then send again."),
}
# Parameters said through a display vocabulary (a code) or as a size (bytes).
PARAM_VOCABULARY: Mapping[str, str] = {"level": "level", "role": "role"}


def explain(translate: Translate, label: Label, size: Callable[[Any], str], error: Any) -> str | None:
    """The page's text for an error with a known ``reason`` (None when it has none)."""
    # an APIError, or an error as the API writes it (a bulk file's row: a mapping)
    found = error if isinstance(error, Mapping) else {"reason": getattr(error, "reason", None),
                                                     "params": getattr(error, "params", None)}
    reason = found.get("reason")
    if not reason or reason not in ERRORS:
        return None
    params: dict[str, Any] = dict(found.get("params") or {})
    for key, value in params.items():
        if key in PARAM_VOCABULARY:
            params[key] = label(PARAM_VOCABULARY[key], value)
        elif key == "limit":
            params[key] = size(value)
    what, then = ERRORS[reason]
    try:
        return f"{translate(what) % params} {translate(then) % params}"
    except (KeyError, TypeError, ValueError):  # a value missing: the caller falls back to the message
        return None
