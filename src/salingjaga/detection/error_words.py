"""The detection domain's errors (the banks of known media: hashes and videos added and
removed) as a page or an API client says them, keyed by the error's stable ``reason``: what
happened and what to do next, as English message ids translated through the domain's catalogue
(``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's (``web.reasons``,
registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "detection.entries_missing": (
        "The request lists no hashes to add.",
        "Send a list of entries, each with a hash and a label."),
    "detection.too_many_entries": ("A request adds at most %(n)s hashes.", "Split them over several requests."),
    "detection.bank_action": (
        "A bank's action is either review or remove.",
        "Choose review to send a match to a moderator, or remove to take a match down."),
    "detection.threshold_range": (
        "A bank's match distance lies between 0 and 47.",
        "Choose a distance from 0 (identical images only) to 47; 31 is the usual setting."),
    "detection.bad_hash_line": (
        "Line %(line)s of the file holds no valid hash.",
        "Give each line a PDQ hash (64 hexadecimal digits) or an MD5 (32), then send the file again."),
    "detection.source_too_long": ("The source's name is longer than %(n)s characters.", "Shorten it, then send again."),
    "detection.bank_unknown": (
        "There is no bank of known media named %(name)s.",
        "Check the name against the list of banks."),
    "detection.entries_not_named": (
        "No entries to remove were named.",
        "Name them by entry number, by hash or by source."),
    "detection.bad_reference": (
        "An entry number or hash is not valid.",
        "Give entries by their number, and hashes as 64 hexadecimal digits (PDQ) or 32 (MD5)."),
    "detection.entry_unknown": (
        "The bank %(name)s holds no entry %(ref)s.",
        "Check the entries against the bank's export; nothing was removed."),
    "detection.hash_unknown": (
        "The bank %(name)s holds no hash %(ref)s.",
        "Check the hashes against the bank's export; nothing was removed."),
    "detection.source_unknown": (
        "The bank %(name)s holds nothing from the source %(source)s.",
        "Check the source's name as it was given at import; nothing was removed."),
    "detection.video_file_unreadable": (
        "The video bank file cannot be read.",
        "Send the file as the bank's export writes it: one video per line."),
    "detection.no_video": ("The file holds no video.", "Send a video bank file with at least one video."),
    "detection.too_many_videos": ("At most %(n)s videos can be sent at once.", "Split the file into smaller ones."),
    "detection.video_id_too_long": (
        "The video %(ref)s has a name longer than 200 characters or a label longer than 300.",
        "Shorten them, then send the file again."),
    "detection.video_unusable": (
        "No frame of the video %(ref)s is of usable quality.",
        "Hash it again from a better copy, or leave it out."),
    "detection.videos_not_named": ("No videos to remove were named.", "Name them by video name or by source."),
    "detection.video_unknown": (
        "The bank %(name)s holds no video %(ref)s.",
        "Check the video names against the bank's export; nothing was removed."),
}
