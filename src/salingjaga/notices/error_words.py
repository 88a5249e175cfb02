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
}
