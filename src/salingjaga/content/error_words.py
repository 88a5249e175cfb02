"""The content domain's errors (posts and accounts the platform sends, and their media) as a
page or an API client says them, keyed by the error's stable ``reason``: what happened and what
to do next, as English message ids translated through the domain's catalogue
(``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's (``web.reasons``,
registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "content.not_found": (
        "The post %(ref)s is not known to the platform.",
        "Check the reference; a post must be sent to the platform before it can be named."),
    "content.account_not_found": (
        "The account %(ref)s is not known to the platform.",
        "Check the reference; an account must be sent to the platform before it can be named."),
    "content.account_kind_unknown": (
        "That is not a kind of account the platform knows.",
        "Choose a personal, business, government, politician or political party account."),
    "content.author_missing": (
        "The post does not name the account that published it.",
        "Name the account, or send the account's details with the post."),
    "content.author_twice": (
        "The post names two different accounts as its author.",
        "Name the account once, or make both references the same account."),
    "content.batch_too_large": ("A batch holds at most %(n)s posts.", "Send them in several smaller batches."),
    "content.media_not_base64": (
        "The data of a media file is not valid base64.",
        "Encode the file's bytes as base64, then send it again."),
    "content.media_too_large": (
        "A media file is larger than %(limit)s.",
        "Send a smaller file, or give the file's address instead of its data."),
    "content.media_type": (
        "This kind of media file is not accepted.",
        "Send a JPEG, PNG, GIF, WebP, HEIC, AVIF, TIFF or DNG image, an MP4, MOV, 3GP or WebM video, or MP3, M4A or "
        "WAV audio."),
    "content.media_type_mismatch": (
        "A media file is declared as %(declared)s but holds %(found)s.",
        "Declare the type the file really has, or send the right file."),
    "content.media_kind_mismatch": (
        "A media entry's kind does not match its file, which is %(found)s.",
        "Give the kind the file really is: image, video or audio."),
    "content.media_missing": (
        "A media entry has neither an address nor the file's data.",
        "Give the media's address or its data, then send again."),
}
