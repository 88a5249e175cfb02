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
    "file.unknown": ("This file does not exist.", "Check the address, or go back to the page that linked to it."),
    "form.expired": (
        "The form has expired or did not come from this site; nothing was changed.",
        "Reload the page and send the form again."),
    "language.unknown": ("The language must be Indonesian or English.", "Choose one of them, then save again."),
    "batch.too_many_rows": (
        "The file holds more than %(n)s rows.",
        "Split it into smaller files and send each of them."),
    "input.not_yes_no": ("The field “%(field)s” takes yes or no.", "Write yes or no, then send it again."),
    "json.too_deep": ("The JSON is nested more than %(n)s levels deep.", "Flatten its structure, then send it again."),
    "json.invalid": ("The file or request is not valid JSON.", "Check it with a JSON validator, then send it again."),
    "media.unavailable": ("No copy of this picture or video is kept.", "Open the post through its address to see it."),
    "evidence.unknown": (
        "The evidence file %(ref)s is not available.",
        "Reload the notice to see its current files; if the file is still listed, tell an administrator."),
    "content.unknown_id": (
        "The post %(ref)s is not known to the platform.",
        "Check the reference and send the notice again."),
    "input.nul": (
        "A text holds an invisible control character (NUL) that cannot be stored.",
        "Type the text again or paste it as plain text, then send it again."),
    "input.out_of_range": (
        "A value is too large for its field.",
        "Check the numbers and dates, then send it again."),
}
