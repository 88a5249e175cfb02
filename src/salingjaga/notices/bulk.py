"""Bulk notices: a CSV or JSON file of up to ``MAX_BULK_ROWS`` rows, with a result per row.

Three stages, so that a hostile or broken row costs only itself:

1. ``parse_bulk`` reads the file with limits (JSON nesting depth, CSV cell size and
   columns, row count); a CSV record the reader cannot take becomes that row's error.
2. ``prepare`` validates every row before anything is written (the schema, strict yes/no
   values, NUL characters, policy, region, election, evidence) and turns the good ones
   into intake jobs.
3. ``submit_bulk`` hands the jobs to the server's notice intake writer
   (``notices.intake``) ``CHUNK`` at a time. The writer commits notices in transactions of
   at most ``intake.MAX_BATCH``, so a 5,000-row file never holds SQLite's single write lock
   for more than one short batch at a time, and several uploads (and single notices)
   interleave instead of queueing behind one long transaction. Each notice is whole or
   absent (its cases, links, evidence and audit event share its transaction), and each
   accepted row gets its receipt. A row with an ``idempotency_key`` is never stored twice,
   so an upload cut off half way can be sent again as it is.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DataError

from salingjaga.auth.principal import Principal
from salingjaga.core.errors import APIError, Invalid, invalid_input
from salingjaga.core.inputlimits import NUL_MESSAGE, loads_limited, text_bool
from salingjaga.notices.intake import NoticeIntake
from salingjaga.notices.schemas import NoticeIn
from salingjaga.notices.service import NoticeJob, check_body

log = logging.getLogger("salingjaga.notices.bulk")

MAX_BULK_ROWS = 5000
# More columns than anyone needs (ten are read): a header of a million commas is refused
# before any row is read.
MAX_CSV_COLUMNS = 50
# Rows handed to the intake writer at once: enough to keep it busy, few enough that a
# single notice arriving meanwhile waits behind a fraction of a second of work.
CHUNK = 200

CSV_FIELDS = ("url", "content_id", "policy", "legal_ground", "explanation", "region", "election",
              "contact", "good_faith", "idempotency_key")


@dataclass(frozen=True)
class RowError:
    """Why one row of a bulk file was refused."""

    code: str
    message: str
    reason: str | None = None  # the error's stable name (``core.errors.APIError.reason``)
    params: Mapping[str, Any] | None = None  # the values its words quote (a line, a field)

    @classmethod
    def of(cls, exc: APIError) -> RowError:
        """A refused row as the service error that refused it."""
        return cls(exc.code, exc.message, exc.reason, exc.params or None)

    def as_dict(self) -> dict[str, Any]:
        """The error as the API shows it (``reason`` and ``params`` only when the error has
        them), so the bulk page can say each row's error in its own language."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.reason:
            out["reason"] = self.reason
        if self.params:
            out["params"] = dict(self.params)
        return out


Row = dict[str, Any] | RowError


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"the file must be UTF-8 text (byte {exc.start} is not)", reason="file.not_utf8") from exc


def parse_bulk(raw: bytes, *, csv_input: bool) -> list[Row]:
    """The rows of a bulk file, CSV or JSON (a list of notices or ``{"notices": [...]}``).

    Problems of the whole file (not UTF-8, malformed or too deeply nested JSON, no
    ``policy`` column, too many rows) are a 4xx; a problem of one record is that row's
    ``RowError``."""
    if csv_input:
        return parse_csv(_decode(raw))
    data = loads_limited(raw, what="the JSON file")
    if isinstance(data, dict) and isinstance(data.get("notices"), list):
        data = data["notices"]
    if not isinstance(data, list):
        raise Invalid('send a JSON list of notices, {"notices": [...]}, or text/csv', reason="bulk.not_a_list")
    _check_count(len(data))
    return data


def _check_count(rows: int) -> None:
    if rows > MAX_BULK_ROWS:
        raise Invalid(f"a bulk submission holds at most {MAX_BULK_ROWS} rows; got more",
                      status=413, code="payload_too_large", reason="batch.too_many_rows", params={"n": MAX_BULK_ROWS})


def parse_csv(text: str) -> list[Row]:
    """Rows of a bulk CSV as notice bodies (one content reference per row).

    ``good_faith`` must be one of true/1/ya/yes or false/0/tidak/no; any other value,
    an empty cell included, is that row's error. A record the CSV reader refuses (a cell
    over its size limit, an unterminated quote) is that row's error too, and reading
    goes on with the next line."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise Invalid("the CSV file is empty", reason="csv.empty") from None
    except csv.Error as exc:
        raise Invalid(f"the CSV header cannot be read: {exc}", reason="csv.unreadable") from exc
    if len(header) > MAX_CSV_COLUMNS:
        raise Invalid(f"the CSV header has {len(header)} columns; at most {MAX_CSV_COLUMNS}",
                      reason="csv.too_many_columns", params={"n": MAX_CSV_COLUMNS})
    if "policy" not in header:
        raise Invalid(f"CSV header must include: policy (columns: {', '.join(CSV_FIELDS)})",
                      reason="csv.policy_missing")
    rows: list[Row] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.append(_csv_problem(exc, reader.line_num))
        else:
            if not cells or not any(c.strip() for c in cells):
                continue  # a blank line is no row
            rows.append(_csv_row(header, cells, reader.line_num))
        _check_count(len(rows))
    return rows


def _csv_problem(exc: csv.Error, line: int) -> RowError:
    if "field larger than field limit" in str(exc):
        limit = csv.field_size_limit()
        return RowError("invalid", f"line {line}: a cell is longer than {limit} characters", "csv.cell_too_long",
                        {"line": line, "n": limit})
    return RowError("invalid", f"line {line}: the CSV record cannot be read ({exc})", "csv.record_unreadable",
                    {"line": line})


def _csv_row(header: list[str], cells: list[str], line: int) -> Row:
    if len(cells) > len(header):
        return RowError("invalid", f"line {line}: {len(cells)} cells, but the header names {len(header)} columns",
                        "csv.too_many_cells", {"line": line})
    row = {name: value.strip() for name, value in zip(header, cells, strict=False) if name}
    ref: dict[str, str] = {}
    if row.get("content_id"):
        ref["content_id"] = row["content_id"]
    elif row.get("url"):
        ref["url"] = row["url"]
    try:
        good_faith = text_bool(row.get("good_faith", ""), "good_faith")
    except Invalid as exc:
        return RowError.of(exc)
    body: dict[str, Any] = {"content": [ref] if ref else [], "policy": row.get("policy", ""),
                            "explanation": row.get("explanation", ""), "good_faith": good_faith}
    for name in ("legal_ground", "region", "election", "contact", "idempotency_key"):
        if row.get(name):
            body[name] = row[name]
    return body


def prepare(rows: list[Row], who: Principal) -> list[NoticeJob | RowError]:
    """Validate every row before anything is written: a job for each good row, the reason
    for each bad one (the checks that need the database follow in the writer)."""
    out: list[NoticeJob | RowError] = []
    for row in rows:
        if isinstance(row, RowError):
            out.append(row)
            continue
        try:
            body = NoticeIn.model_validate(row)
            check_body(body)
        except ValidationError as exc:
            out.append(RowError.of(invalid_input(exc, "row")))
            continue
        except APIError as exc:
            out.append(RowError.of(exc))
            continue
        out.append(NoticeJob(body, who))
    return out


@dataclass
class BulkOutcome:
    """Per-row outcomes of a bulk submission, in the file's order."""

    results: list[dict[str, Any]]

    def summary(self) -> dict[str, Any]:
        """Counts and the rows."""
        return {"received": sum(r["status"] == "received" for r in self.results),
                "existing": sum(r["status"] == "existing" for r in self.results),
                "errors": sum(r["status"] == "error" for r in self.results),
                "results": self.results}


async def submit_bulk(intake: NoticeIntake, rows: list[Row], who: Principal) -> BulkOutcome:
    """Validate every row, then take the good ones in through the intake writer, ``CHUNK``
    at a time; returns a result (a receipt or an error) per row."""
    results: list[dict[str, Any]] = []
    waiting: list[tuple[int, NoticeJob]] = []
    for index, prepared in enumerate(prepare(rows, who)):
        if isinstance(prepared, RowError):
            results.append({"index": index, "status": "error", "error": prepared.as_dict()})
        else:
            results.append({"index": index, "status": "pending"})
            waiting.append((index, prepared))
    for start in range(0, len(waiting), CHUNK):
        chunk = waiting[start:start + CHUNK]
        try:
            answers = await intake.submit_many([job for _, job in chunk])
        except APIError as exc:  # the writer stayed full: this row and the rest are not taken
            for index, _ in waiting[start:]:
                results[index] = {"index": index, "status": "error",
                                  "error": RowError.of(exc).as_dict()}
            break
        for (index, _), answer in zip(chunk, answers, strict=True):
            results[index] = _result(index, answer)
    return BulkOutcome(results)


def _result(index: int, answer: tuple[dict[str, Any], bool] | BaseException) -> dict[str, Any]:
    if isinstance(answer, BaseException):
        return {"index": index, "status": "error", "error": _row_error(answer).as_dict()}
    receipt, created = answer
    # The row's status says what this upload did with it; the notice's own status (received,
    # in review, ...) is followed at /notices/{id}.
    fields = {k: v for k, v in receipt.items() if k != "status"}
    return {"index": index, "status": "received" if created else "existing", **fields}


def _row_error(exc: BaseException) -> RowError:
    if isinstance(exc, APIError):
        return RowError.of(exc)
    if isinstance(exc, DataError):  # a value the database refused that the checks let through
        if "NUL" in str(exc.orig) or "\\u0000" in str(exc.orig):
            return RowError("invalid", f"text fields: {NUL_MESSAGE}", "input.nul")
        return RowError("invalid", "a value is out of range for its field", "input.out_of_range")
    # Rows before and after this one are committed and have their receipts: a bug in one
    # row must not turn them into a 500 the caller would read as "nothing was taken".
    log.error("a bulk row failed", exc_info=exc)
    return RowError("error", "this row could not be stored; send it again (a row with an "
                             "idempotency_key is never stored twice)", "row.failed")
