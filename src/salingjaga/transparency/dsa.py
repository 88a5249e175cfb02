"""Statements of reasons for the DSA Transparency Database: batch rules and the export.

``moderation.statements.validate_statement`` checks one statement's fields; this module adds
what only shows across a file or that the database adds on top:

* a batch is ``{"statements": [...]}`` with 1 to 100 statements (the API's
  ``statements: required|array|min:1|max:100``);
* every ``puid`` is unique within the batch (and the exporter keeps them unique across all
  batches of an export);
* dates are no later than 2038-01-01, ``decision_ground_reference_url`` is an http(s) URL,
  ``source_identity`` is absent for ``SOURCE_VOLUNTARY`` (the database drops it);
* no personal data in free text: e-mail addresses, phone numbers, NIK/KK/NPWP numbers,
  passport, bank account and card numbers and IP addresses found by ``lokal``'s
  ``detect_pii`` (a statement is public; the creator and the notifier must stay unnamed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from salingjaga.moderation.statements import DATE_FIELDS, validate_statement

MAX_BATCH = 100
FREE_TEXT_FIELDS = (
    "decision_facts", "illegal_content_explanation", "incompatible_content_explanation",
    "illegal_content_legal_ground", "incompatible_content_ground", "decision_visibility_other",
    "decision_monetary_other", "content_type_other", "category_specification_other",
    "source_identity",
)
PII_TYPES = ("NIK", "KK", "NPWP", "PASSPORT", "PHONE", "EMAIL", "BANK_ACCOUNT", "CARD", "IP")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_LATEST = date(2038, 1, 1)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def personal_data(text: str) -> list[str]:
    """The kinds of personal data found in ``text`` (never the values themselves)."""
    from lokal import detect_pii

    kinds = {m.type for m in detect_pii(text, types=list(PII_TYPES))}  # type: ignore[arg-type]
    if _EMAIL.search(text):
        kinds.add("EMAIL")
    return sorted(kinds)


def statement_errors(data: Any) -> list[str]:
    """Every rule one statement breaks: moderation's field rules plus the extra ones here."""
    if not isinstance(data, dict):
        return ["a statement must be a JSON object"]
    errors = validate_statement(data)
    for name in (*DATE_FIELDS, "content_date", "application_date"):
        value = data.get(name)
        if isinstance(value, str):
            try:
                if date.fromisoformat(value) > _LATEST:
                    errors.append(f"{name} must be on or before {_LATEST.isoformat()}")
            except ValueError:
                pass  # the format error is already reported by validate_statement
    url = data.get("decision_ground_reference_url")
    if url not in (None, "") and not (isinstance(url, str) and _URL.match(url)):
        errors.append("decision_ground_reference_url must be an http(s) URL")
    if data.get("source_type") == "SOURCE_VOLUNTARY" and data.get("source_identity") not in (None, ""):
        errors.append("source_identity must be omitted when source_type is SOURCE_VOLUNTARY")
    for name in FREE_TEXT_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            found = personal_data(value)
            if found:
                errors.append(f"{name} contains personal data ({', '.join(found)})")
    return errors


def batch_errors(batch: Any) -> list[str]:
    """Every rule a batch file breaks; statement errors are prefixed ``statements[i]``."""
    if isinstance(batch, dict) and set(batch) == {"statements"}:
        statements = batch["statements"]
    elif isinstance(batch, dict):
        return ["a batch is an object with only the key 'statements'"]
    else:
        return ["a batch is an object {\"statements\": [...]}"]
    if not isinstance(statements, list):
        return ["statements must be a list"]
    errors: list[str] = []
    if not statements:
        errors.append("a batch holds at least one statement")
    if len(statements) > MAX_BATCH:
        errors.append(f"a batch holds at most {MAX_BATCH} statements, this one {len(statements)}")
    seen: dict[str, int] = {}
    for i, st in enumerate(statements):
        errors.extend(f"statements[{i}]: {e}" for e in statement_errors(st))
        puid = st.get("puid") if isinstance(st, dict) else None
        if isinstance(puid, str) and puid:
            if puid in seen:
                errors.append(f"statements[{i}]: puid {puid!r} repeats statements[{seen[puid]}]")
            else:
                seen[puid] = i
    return errors


def validate_file(path: Path) -> list[str]:
    """Errors of one batch file (unreadable JSON is an error too)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"cannot read {path.name}: {exc}"]
    return batch_errors(data)


def write_batches(pages: Iterable[list[dict[str, Any]]], out_dir: Path) -> dict[str, Any]:
    """Write valid statements as batch files of at most 100 and a ``manifest.json``.

    A statement that breaks a rule, or repeats an exported puid, is left out and listed in
    the manifest by puid with its errors (the errors name fields, never their contents).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    seen: set[str] = set()
    pending: list[dict[str, Any]] = []
    exported = 0

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        name = f"statements-{len(files) + 1:05d}.json"
        body = json.dumps({"statements": pending}, ensure_ascii=False, indent=1).encode("utf-8")
        (out_dir / name).write_bytes(body)
        files.append({"file": name, "statements": len(pending),
                      "sha256": hashlib.sha256(body).hexdigest()})
        pending = []

    for page in pages:
        for st in page:
            errors = statement_errors(st)
            puid = st.get("puid")
            if isinstance(puid, str) and puid in seen:
                errors.append("puid already exported in this period")
            if errors:
                rejected.append({"puid": puid if isinstance(puid, str) else None, "errors": errors})
                continue
            seen.add(str(puid))
            pending.append(st)
            exported += 1
            if len(pending) == MAX_BATCH:
                flush()
    flush()
    manifest = {"exported": exported, "rejected": rejected, "files": files,
                "batch_size": MAX_BATCH}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    return manifest
