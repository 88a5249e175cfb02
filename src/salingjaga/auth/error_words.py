"""The auth domain's errors as a page says them, keyed by the error's stable ``reason``:
what happened and what to do next, as English message ids translated through the
domain's catalogue (``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's
(``web.error_words``, registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "user.email_taken": (
        "%(email)s already has an account.", "Use another e-mail address, or reactivate the existing account."),
    "user.partner_missing": (
        "The role %(role)s works for a partner organisation, and none was chosen.",
        "Choose the person's organisation, then save again."),
    "user.deactivate_self": ("You cannot deactivate your own account.", "Ask another administrator to do it."),
    "email.invalid": ("That is not an e-mail address.", "Check the address and send the form again."),
    "password.too_short": ("The password is too short.", "Choose a password of at least %(n)s characters."),
    "invitation.invalid": (
        "This invitation link is not valid.", "Check that the whole link was copied, or ask for a new invitation."),
    "invitation.used": (
        "This invitation link was already used.", "Sign in with the password you chose, or ask for a new invitation."),
    "invitation.expired": ("This invitation link has expired.", "Ask the person who invited you for a new one."),
    "second_factor.wrong_code": (
        "That is not the current code of your authenticator app.",
        "Type the newest code; if it keeps failing, check that the phone's clock is right."),
}
