"""Applying a list of rows where one bad row must not sink the others.

Content intake batches and bulk notices share this loop: each row is validated, then
applied in its own savepoint, and its outcome (the handler's result or an error) is kept
in order. Callers shape the outcomes into their own API answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from salingjaga.core.errors import APIError, Invalid, first_error_message

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


@dataclass(frozen=True)
class RowOutcome:
    """One row: ``value`` is the handler's result, or ``error`` says why it failed."""

    index: int
    value: Any = None
    error: dict[str, str] | None = None


def each_row(
    session: Session,
    rows: list[Any],
    schema: type[M],
    handler: Callable[[M], R],
    *,
    limit: int,
    what: str,
) -> list[RowOutcome]:
    """Validate and apply each row in its own savepoint; too many rows is a 413."""
    if len(rows) > limit:
        raise Invalid(f"a {what} holds at most {limit} rows; got {len(rows)}", status=413,
                      code="payload_too_large", reason="batch.too_many_rows", params={"n": limit})
    outcomes: list[RowOutcome] = []
    for index, row in enumerate(rows):
        try:
            parsed = schema.model_validate(row)
        except ValidationError as exc:
            outcomes.append(RowOutcome(index, error={
                "code": "invalid", "message": first_error_message(exc, "row")}))
            continue
        savepoint = session.begin_nested()
        try:
            value = handler(parsed)
            savepoint.commit()
        except APIError as exc:
            savepoint.rollback()
            outcomes.append(RowOutcome(index, error={"code": exc.code, "message": exc.message}))
            continue
        outcomes.append(RowOutcome(index, value=value))
    return outcomes
