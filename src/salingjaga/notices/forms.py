"""A notice filed through a page form: the portal's and the training sandbox's forms send
the same fields and evidence uploads, and both are read into ``NoticeIn`` the same way, so
a practice notice meets exactly the checks a real one does."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import UploadFile
from pydantic import ValidationError

from salingjaga.core.errors import Invalid, first_error_message
from salingjaga.notices.schemas import NoticeIn

MAX_EVIDENCE_FILES = 10  # per notice filed through a page


async def evidence_from_uploads(uploads: list[UploadFile]) -> list[dict[str, str]]:
    """The chosen files (a form's empty file field sends one without a name) as the API's
    evidence entries; more than ``MAX_EVIDENCE_FILES`` is refused before any is read."""
    files = [f for f in uploads if f.filename]
    if len(files) > MAX_EVIDENCE_FILES:
        raise Invalid(f"at most {MAX_EVIDENCE_FILES} evidence files", reason="evidence.too_many",
                      params={"n": MAX_EVIDENCE_FILES})
    return [{"filename": str(f.filename), "data_base64": base64.b64encode(await f.read()).decode("ascii")}
            for f in files]


def notice_from_form(fields: dict[str, Any]) -> NoticeIn:
    """``NoticeIn`` from a form's fields; a field the schema refuses is a 422 naming it as
    a form field."""
    try:
        return NoticeIn.model_validate(fields)
    except ValidationError as exc:
        raise Invalid(first_error_message(exc, "form")) from exc
