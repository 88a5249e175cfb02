"""The notices domain's errors as a page says them, keyed by the error's stable ``reason``:
what happened and what to do next, as English message ids translated through the
domain's catalogue (``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's
(``web.error_words``, registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "content.unknown_url": (
        "No post with the address %(url)s is known to the platform yet.",
        "Check the link; if it is right, file the notice again once the platform has sent the post."),
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
    "appeal.no_decision": (
        "This notice has no decision yet, so there is nothing to appeal.",
        "Wait for the decision; you will be told when it is taken."),
    "notice.unknown": (
        "The notice %(ref)s does not exist or is not visible to you.",
        "Open it from your list of notices."),
    "notice.intake_busy": (
        "Too many notices are waiting to be taken in just now; this one was not saved.",
        "Wait a few seconds, then send it again."),
    "evidence.not_base64": (
        "An evidence file's data is not valid base64.",
        "Encode the file as base64 again, then send the notice again."),
    "bulk.no_rows": (
        "The file holds no notices.",
        "Write one row per post under the header, then send the file again."),
    "bulk.not_a_list": (
        "The file is not a list of notices.",
        "Send a JSON list of notices, or a CSV file with the columns this page lists."),
    "bulk.intake_busy": (
        "Too many notices are waiting to be taken in; not every row of the file was taken.",
        "Wait a few seconds, check your list of notices, then send the missing rows again."),
    "csv.too_many_columns": (
        "The first line of the CSV file names more than %(n)s columns.",
        "Keep only the columns this page lists, then send the file again."),
    "csv.policy_missing": (
        "The first line of the CSV file has no “policy” column.",
        "Name the columns on the first line as this page lists them, then send the file again."),
    "csv.empty": (
        "The CSV file is empty.",
        "Write the column names on the first line and one post per row below it, then send the file again."),
    "csv.unreadable": (
        "The first line of the CSV file cannot be read as column names.",
        "Save the file again as CSV from your spreadsheet, then send it again."),
    "file.not_utf8": (
        "The file is not UTF-8 text.",
        "Save it from your spreadsheet as “CSV UTF-8”, then send it again."),
    "csv.record_unreadable": (
        "Line %(line)s of the CSV file cannot be read: a quotation mark may be left open.",
        "Correct the line in your spreadsheet, then send the file again."),
    "csv.too_many_cells": (
        "Line %(line)s has more cells than the first line names columns.",
        "Remove the extra cells, or put a cell that holds a comma in quotation marks, then send the file "
        "again."),
    "row.failed": (
        "This row could not be stored; nothing of it was saved.",
        "Send it again; a row with an idempotency key is never stored twice."),
    "csv.cell_too_long": (
        "Line %(line)s has a cell longer than %(n)s characters.",
        "Shorten the cell, then send the file again."),
    "notice.key_reused": (
        "This idempotency key was already used for a different notice.",
        "Give each new notice a new key; send a key again only to repeat the same notice."),
}
