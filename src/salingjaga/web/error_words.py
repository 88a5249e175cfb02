"""The shell's own errors as a page says them: the form input reasons every domain's
forms share (``core.errors.input_reason``), the period of a report or count several domains
check, and the password check of the shell's sign-up pages. Keyed by the error's stable
``reason``: what happened and what to do next, as English message ids translated through
``locale/id/LC_MESSAGES/errors.po``. Listed in ``parts.ERROR_WORDS`` with the domains'
(``web.reasons``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "service.busy": (
        "The platform is very busy and could not take this request just now; nothing was saved.",
        "Wait a few seconds, then send it again."),
    "password.mismatch": ("The two passwords differ.", "Type the same password in both fields."),
    # the period a report or a count covers (reach figures, refused features, transparency reports)
    "period.reversed": ("The end of the period is before its start.", "Choose an end date on or after the start date."),
    "period.too_long": ("A period spans at most %(n)s days.", "Choose a shorter period."),
    "input.missing": ("The field “%(field)s” is missing.",
        "Fill it in, then send the form again."),
    "input.too_long": ("The field “%(field)s” is longer than %(n)s characters.",
        "Shorten it, then send the form again."),
    "input.too_short": ("The field “%(field)s” is shorter than %(n)s characters.",
        "Complete it, then send the form again."),
    "input.too_many": ("The field “%(field)s” holds more than %(n)s entries.",
        "Remove some, then send the form again."),
    "input.too_few": ("The field “%(field)s” needs at least %(n)s entries.",
        "Add what is missing, then send the form again."),
    "input.invalid": ("The field “%(field)s” is not filled in as expected.",
        "Check its value, then send the form again."),
}
