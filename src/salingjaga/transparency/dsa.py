"""Statements of reasons for the DSA Transparency Database: batch rules and the export.

``moderation.statements.validate_statement`` checks one statement against the official API's
field rules; this module adds what only shows across a file, or what a statement sent to
the database needs on top:

* a batch is ``{"statements": [...]}`` with 1 to 100 statements (the API's multiple-store
  endpoint takes between 1 and 100);
* every ``puid`` is unique within the batch (and the exporter keeps them unique across all
  batches of an export);
* ``territorial_scope`` names at least one EEA country (the API documentation makes it
  required; a restriction that holds nowhere in the EEA is not sent at all);
* ``source_identity`` is absent for ``SOURCE_VOLUNTARY`` (the database would drop it);
* no personal data in free text: e-mail addresses, phone numbers, NIK/KK/NPWP numbers,
  passport, bank account and card numbers and IP addresses found by ``lokal``'s
  ``detect_pii`` (a statement is public; the creator and the notifier must stay unnamed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salingjaga.moderation.statements import validate_statement
from salingjaga.policies.dsa import dsa_enums

MAX_BATCH = 100
FREE_TEXT_FIELDS = (
    "decision_facts", "illegal_content_explanation", "incompatible_content_explanation",
    "illegal_content_legal_ground", "incompatible_content_ground", "decision_visibility_other",
    "decision_monetary_other", "content_type_other", "category_specification_other",
    "source_identity",
)
PII_TYPES = ("NIK", "KK", "NPWP", "PASSPORT", "PHONE", "EMAIL", "BANK_ACCOUNT", "CARD", "IP")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


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
    if data.get("territorial_scope") in (None, []):
        errors.append("territorial_scope is required: the EEA countries where the restriction applies")
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
    """Every rule a file breaks. A file is a batch ``{"statements": [...]}`` (the API's
    multiple-store endpoint; errors are prefixed ``statements[i]``) or one statement object
    (the single-store endpoint)."""
    if isinstance(batch, dict) and "statements" not in batch:
        return statement_errors(batch)
    if isinstance(batch, dict) and set(batch) == {"statements"}:
        statements = batch["statements"]
    elif isinstance(batch, dict):
        return ["a batch is an object with only the key 'statements'"]
    else:
        return ["a batch is an object {\"statements\": [...]} (or one statement object)"]
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


@dataclass
class LeftOut:
    """Statements an export does not send because their restriction applies nowhere in the
    EEA (Indonesian law, Indonesian election rules), counted by why: ``legal_ground`` or
    the policy's own territory. Only codes are kept, never statement text."""

    by_ground: Counter[str] = field(default_factory=Counter)
    by_policy: Counter[str] = field(default_factory=Counter)
    by_territory: Counter[str] = field(default_factory=Counter)

    def add(self, *, policy: str, by: str, territory: str) -> None:
        """Count one statement left out."""
        self.by_ground[by] += 1
        self.by_policy[policy] += 1
        self.by_territory[territory] += 1

    @property
    def total(self) -> int:
        """How many statements were left out."""
        return sum(self.by_ground.values())

    def as_dict(self) -> dict[str, Any]:
        """The manifest's ``left_out`` section."""
        return {
            "total": self.total,
            "reason": "the restriction applies only outside the EEA, so the DSA Transparency "
                      "Database does not cover it",
            "by_ground": {"legal_ground": self.by_ground["legal_ground"],
                          "policy": self.by_ground["policy"]},
            "by_policy": dict(sorted(self.by_policy.items())),
            "by_territory": dict(sorted(self.by_territory.items())),
        }


def describe_left_out(left: dict[str, Any]) -> str:
    """A manifest's ``left_out`` section as one line for the command line."""
    if not left["total"]:
        return "0 left out as applying only outside the EEA"
    where = ", ".join(f"{code} {n}" for code, n in left["by_territory"].items())
    policies = ", ".join(f"{code} {n}" for code, n in left["by_policy"].items())
    return (f"{left['total']} left out as applying only outside the EEA ({where}): "
            f"{left['by_ground']['legal_ground']} under national law, {left['by_ground']['policy']} "
            f"by the policy's territory; by policy: {policies}")


def format_info() -> dict[str, Any]:
    """What the files follow: the manifest's ``format`` section."""
    return {"name": "DSA Transparency Database statements of reasons (multiple-store batches)",
            "api": "digital-services-act/transparency-database",
            "enumerations_commit": dsa_enums().commit}


def write_batches(pages: Iterable[list[dict[str, Any]]], out_dir: Path,
                  left_out: LeftOut | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write valid statements as batch files of at most 100 and a ``manifest.json``.

    A statement that breaks a rule, or repeats an exported puid, is left out and listed in
    the manifest by puid with its errors (the errors name fields, never their contents).
    ``left_out`` and ``extra`` (more manifest keys) are read once ``pages`` is used up, so a
    filter feeding ``pages`` can count what it held back or changed into them.
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
    manifest = {**(extra or {}), "format": format_info(), "exported": exported, "rejected": rejected,
                "left_out": (left_out or LeftOut()).as_dict(), "files": files, "batch_size": MAX_BATCH}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    return manifest
