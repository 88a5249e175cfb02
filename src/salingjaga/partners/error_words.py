"""The partners domain's errors (partner organisations, their webhook, the office import
file line by line, and the invitation e-mail) as a page or an API client says them, keyed by
the error's stable ``reason``: what happened and what to do next, as English message ids
translated through the domain's catalogue (``locale/id/LC_MESSAGES/errors.po``). The shell
merges every domain's (``web.reasons``, registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "import.trusted_flag": (
        "Line %(line)s: the “trusted” column must say true or false.",
        "Correct the cell, then check the file again."),
    "import.name_empty": ("Line %(line)s: the office has no name.", "Correct the cell, then check the file again."),
    "import.kind_empty": (
        "Line %(line)s: the kind of office is empty.",
        "Correct the cell, then check the file again."),
    "import.name_too_long": (
        "Line %(line)s: the name is longer than %(n)s characters.",
        "Shorten it, then check the file again."),
    "import.kind_unknown": (
        "Line %(line)s: the kind of office is not one the platform knows.",
        "Use one of the kinds this page lists, then check the file again."),
    "import.region_unknown": (
        "Line %(line)s: the region %(code)s is not known.",
        "Write a Kemendagri code such as 32 or 32.73, then check the file again."),
    "import.email_invalid": (
        "Line %(line)s: the contact e-mail is not an e-mail address.",
        "Correct the cell, then check the file again."),
    "import.policy_unknown": (
        "Line %(line)s: the policy %(code)s is not known.",
        "Use codes of the policy library, separated by commas, then check the file again."),
    "import.trusted_without_policy": (
        "Line %(line)s: a trusted flagger needs at least one policy area.",
        "Name its policy areas in the “policies” column, or mark it as not trusted."),
    "import.refused": (
        "Nothing was imported: the check found %(n)s problem(s) in the file.",
        "Check the file on the import page, correct the lines it names, then import again."),
    "partner.kind_unknown": (
        "The kind of organisation is not one the platform knows.",
        "Choose a kind from the list, then save again."),
    "partner.trusted_without_policy": (
        "A trusted flagger needs at least one policy area.",
        "Choose its policy areas, or leave it not trusted."),
    "partner.not_chosen": (
        "No office was chosen.",
        "Open the team page from the office's entry in the list of partners."),
    "webhook.refused": (
        "The webhook address cannot be used: the platform calls only public http(s) addresses, without a "
        "user name or password in them.",
        "Give the public address of your server, then save again."),
    "mail.unavailable": (
        "The mail server did not accept the invitation; nothing was saved.",
        "Try again later; if it keeps failing, tell an administrator."),
    "import.columns_missing": (
        "The first line of the file lacks the columns %(columns)s.",
        "Name the columns on the first line as this page lists them, then check the file again."),
    "import.columns_unknown": (
        "The first line of the file names columns this import does not know: %(columns)s.",
        "Remove or rename them as this page lists the columns, then check the file again."),
    "import.too_many_cells": (
        "Line %(line)s has more cells than the first line names columns.",
        "Remove the extra cells, or put a cell that holds a comma in quotation marks, then check the file "
        "again."),
    "import.duplicate": (
        "Line %(line)s names the same office as line %(other)s.",
        "Keep one of the two lines, then check the file again."),
}
