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
    "key.missing": (
        "This request needs an API key.",
        "Send the key in the Authorization header, as “Bearer” followed by the key; an administrator issues "
        "keys."),
    "key.unknown": (
        "The API key is not known or has been revoked.",
        "Check that the whole key was copied, or ask an administrator for a new one."),
    "key.unknown_id": ("The API key %(ref)s does not exist.", "Reload the list of keys to see the current ones."),
    "role.not_allowed": ("Your role (%(role)s) may not do this.", "If your work needs it, ask an administrator."),
    "role.unknown": ("That is not a role an account can have.", "Choose a role from the list, then save again."),
    "user.unknown": ("The account %(ref)s does not exist.", "Reload the list of users to see the current accounts."),
    "user.no_email": (
        "The account %(ref)s does not exist or has no e-mail address, so no link can be sent to it.",
        "Check the account in the list of users: a link goes only to an account with an e-mail address."),
    "user.no_partner": (
        "Your account is not linked to a partner organisation.",
        "Ask an administrator to link it to your organisation."),
    "member.role_not_partner": (
        "A partner administrator can add only reporters and administrators of their own organisation.",
        "Choose one of those roles; for any other role, ask the platform's administrators."),
    "member.email_taken": (
        "A member of this organisation already uses the e-mail address %(email)s.",
        "Look for them in the list of members, or invite another address."),
    "partner.unknown": ("The organisation %(ref)s is not known.", "Choose an organisation from the list."),
}
