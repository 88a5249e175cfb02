"""Serving a stored upload (a notice's evidence) to a signed-in person.

An upload is whatever a partner sent: it is served with its sniffed type, never sniffed
again by the browser, never cached, and under a CSP that sandboxes it, so a file crafted
as HTML or script cannot run with the site's origin.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse

UPLOAD_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
                  "Content-Security-Policy": "default-src 'none'; sandbox"}


def upload_response(target: Path, mime: str, filename: str, *, inline: bool = False) -> FileResponse:
    """``target`` (already checked against its recorded hash) as a download, or shown in
    the page when ``inline`` (the caller decides which types may be)."""
    return FileResponse(target, media_type=mime, filename=filename,
                        content_disposition_type="inline" if inline else "attachment",
                        headers=UPLOAD_HEADERS)


def picture_response(target: Path) -> FileResponse:
    """A small JPEG the platform made itself (a thumbnail, a video's keyframe): shown in the
    page, kept briefly in the person's own browser only."""
    return FileResponse(target, media_type="image/jpeg", headers={
        "Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"})
