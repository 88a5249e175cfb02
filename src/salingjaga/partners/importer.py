"""Bulk onboarding of partner offices from a CSV file (one row per office).

An office is identified by its organisation and jurisdiction (``organisation``,
``region_code``): importing the same file again finds every office and changes nothing, and
a changed row updates its office in place. The hierarchy is the region codes' own: a
regency's office sits under its province's office of the same organisation, a province's
under the national one (``can_see`` reads it from the codes). Every row is checked before
anything is written; a file with any error writes nothing, and ``plan_import`` alone is the
dry run that shows what an import would change.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record_many
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.core.errors import APIError, Invalid
from salingjaga.core.ids import new_id
from salingjaga.partners.models import PARTNER_KINDS, Partner
from salingjaga.partners.offices import COLUMNS
from salingjaga.policies.service import validate_policy_codes
from salingjaga.regions.service import get_region, province_of

REQUIRED = ("name", "kind", "region_code")
MAX_ROWS = 5000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"true", "yes", "1", "ya"}
_FALSE = {"false", "no", "0", "tidak", ""}
# The fields an import sets, in the order a change lists them.
FIELDS = ("name", "kind", "contact_email", "trusted", "policy_areas")


@dataclass(frozen=True)
class OfficeRow:
    """One checked row of the file."""

    line: int
    name: str
    kind: str
    region: str | None
    organisation: str
    contact_email: str | None
    trusted: bool
    policies: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str | None]:
        return self.organisation, self.region

    def values(self) -> dict[str, Any]:
        """What the row says each imported field should be (an empty e-mail says nothing)."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "trusted": self.trusted,
                               "policy_areas": list(self.policies)}
        if self.contact_email:
            out["contact_email"] = self.contact_email
        return out


@dataclass
class Change:
    """What importing one row does: ``create``, ``update`` (with the fields it changes) or
    ``unchanged``; ``parent`` names the office above it."""

    line: int
    action: str
    name: str
    organisation: str
    region: str | None
    parent: str | None
    partner_id: str | None = None
    fields: dict[str, list[Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "action": self.action, "name": self.name, "organisation": self.organisation,
                "region": self.region, "parent": self.parent, "partner_id": self.partner_id,
                "fields": self.fields}


@dataclass
class ImportPlan:
    """The changes an import makes, the errors that stop it and the warnings that do not."""

    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # the errors as refusals with a reason, so the import page says them in its language
    problems: list[Invalid] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "unchanged": 0}
        for change in self.changes:
            out[change.action] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "errors": self.errors, "warnings": self.warnings,
                "changes": [c.as_dict() for c in self.changes]}


def _flag(text: str, line: int) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise Invalid(f"line {line}: trusted must be true or false, not {text!r}", reason="import.trusted_flag",
                  params={"line": line})


def _row(raw: dict[str, str | None], line: int) -> OfficeRow:
    cell = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    if not cell["name"]:
        raise Invalid(f"line {line}: name is empty", reason="import.name_empty", params={"line": line})
    if not cell["kind"]:
        raise Invalid(f"line {line}: kind is empty", reason="import.kind_empty", params={"line": line})
    if len(cell["name"]) > 200:
        raise Invalid(f"line {line}: name is longer than 200 characters", reason="import.name_too_long",
                      params={"line": line, "n": 200})
    if cell["kind"] not in PARTNER_KINDS:
        raise Invalid(f"line {line}: unknown kind {cell['kind']!r}; valid: {', '.join(PARTNER_KINDS)}",
                      reason="import.kind_unknown", params={"line": line})
    region = cell["region_code"] or None
    if region is not None:
        try:
            get_region(region)
        except APIError as exc:
            raise Invalid(f"line {line}: {exc.message}", reason="import.region_unknown",
                          params={"line": line, "code": region}) from exc
    email = cell["contact_email"] or None
    if email is not None and (len(email) > 320 or not _EMAIL.match(email)):
        raise Invalid(f"line {line}: contact_email {email!r} is not an e-mail address", reason="import.email_invalid",
                      params={"line": line})
    policies = tuple(p.strip() for p in re.split(r"[;,]", cell["policies"]) if p.strip())
    try:
        validate_policy_codes(list(policies))
    except APIError as exc:
        raise Invalid(f"line {line}: {exc.message}", reason="import.policy_unknown",
                      params={"line": line, "code": exc.params.get("code", "")}) from exc
    trusted = _flag(cell["trusted"], line)
    if trusted and not policies:
        raise Invalid(f"line {line}: a trusted flagger needs at least one policy area (policies)",
                      reason="import.trusted_without_policy", params={"line": line})
    # Without an organisation column, offices are grouped by the first word of their name
    # ("Bawaslu RI", "Bawaslu Kota Bandung": bawaslu), the way election bodies name offices.
    organisation = (cell["organisation"] or cell["name"].split()[0]).lower()
    organisation = re.sub(r"[^a-z0-9]+", "-", organisation).strip("-")[:80] or "org"
    return OfficeRow(line, cell["name"], cell["kind"], region, organisation, email, trusted, policies)


def parse_offices(text: str) -> tuple[list[OfficeRow], list[Invalid]]:
    """The rows of an import file and every error found (line numbers count the header as 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [Invalid(f"the header lacks {', '.join(missing)}; columns: {', '.join(COLUMNS)}",
                            reason="import.columns_missing", params={"columns": ", ".join(missing)})]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        return [], [Invalid(f"unknown columns {', '.join(unknown)}; columns: {', '.join(COLUMNS)}",
                            reason="import.columns_unknown", params={"columns": ", ".join(unknown)})]
    reader.fieldnames = header
    rows: list[OfficeRow] = []
    errors: list[Invalid] = []
    seen: dict[tuple[str, str | None], int] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(Invalid(f"more than {MAX_ROWS} rows; split the file", reason="batch.too_many_rows",
                                  params={"n": MAX_ROWS}))
            break
        if None in raw:
            errors.append(Invalid(f"line {number}: more cells than columns", reason="import.too_many_cells",
                                  params={"line": number}))
            continue
        try:
            row = _row(raw, number)
        except Invalid as exc:
            errors.append(exc)
            continue
        if row.key in seen:
            errors.append(Invalid(f"line {number}: the same office ({row.organisation}, "
                                  f"{row.region or 'national'}) as line {seen[row.key]}",
                                  reason="import.duplicate", params={"line": number, "other": seen[row.key]}))
            continue
        seen[row.key] = number
        rows.append(row)
    return rows, errors


def _parent_key(organisation: str, region: str | None) -> tuple[str, str | None] | None:
    if region is None:
        return None
    if "." in region:
        return organisation, province_of(region)
    return organisation, None


def plan_import(session: Session, text: str) -> ImportPlan:
    """What importing ``text`` would do, reading the database but writing nothing."""
    rows, problems = parse_offices(text)
    plan = ImportPlan(errors=[p.message for p in problems], problems=problems)
    if problems:
        return plan
    existing: dict[tuple[str, str | None], Partner] = {}
    orgs = {r.organisation for r in rows}
    for partner in session.scalars(select(Partner).where(Partner.organisation.in_(orgs))
                                   .order_by(Partner.created_at, Partner.id)):
        existing.setdefault((partner.organisation, partner.region_code), partner)
    names = {r.key: r.name for r in rows}
    for row in rows:
        parent_key = _parent_key(row.organisation, row.region)
        parent = None
        if parent_key is not None:
            parent = names.get(parent_key) or (existing[parent_key].name if parent_key in existing else None)
            if parent is None:
                plan.warnings.append(f"line {row.line}: {row.name} has no office above it "
                                     f"({row.organisation}, {parent_key[1] or 'national'})")
        current = existing.get(row.key)
        if current is None:
            plan.changes.append(Change(row.line, "create", row.name, row.organisation, row.region, parent))
            continue
        diff = {name: [getattr(current, name), value] for name, value in row.values().items()
                if getattr(current, name) != value}
        plan.changes.append(Change(row.line, "update" if diff else "unchanged", row.name, row.organisation,
                                   row.region, parent, current.id, {k: diff[k] for k in FIELDS if k in diff}))
    return plan


def apply_import(session: Session, text: str, *, actor: Principal = SYSTEM) -> ImportPlan:
    """Import the file in the caller's transaction and return what was done; a file with
    errors raises ``Invalid`` listing them and writes nothing."""
    plan = plan_import(session, text)
    if plan.errors:
        shown = "; ".join(plan.errors[:10])
        more = f" (and {len(plan.errors) - 10} more)" if len(plan.errors) > 10 else ""
        raise Invalid(f"nothing imported: {shown}{more}", reason="import.refused", params={"n": len(plan.errors)})
    rows = {r.line: r for r in parse_offices(text)[0]}
    events: list[tuple[Principal | str, str, str, str, dict[str, Any]]] = []
    created: list[Partner] = []
    for change in plan.changes:
        row = rows[change.line]
        if change.action == "create":
            partner = Partner(id=new_id("prt"), organisation=row.organisation, region_code=row.region,
                              contact_email=row.contact_email, active=True, **{
                                  k: v for k, v in row.values().items() if k != "contact_email"})
            created.append(partner)
            change.partner_id = partner.id
            events.append((actor, "partner.created", "partner", partner.id,
                           {"kind": row.kind, "region": row.region, "trusted": row.trusted,
                            "policies": list(row.policies), "import_line": row.line}))
        elif change.action == "update":
            found = session.get(Partner, change.partner_id)
            assert found is not None
            for name, (_old, new) in change.fields.items():
                setattr(found, name, new)
            events.append((actor, "partner.updated", "partner", found.id,
                           {"fields": change.fields, "import_line": row.line}))
    session.add_all(created)
    session.flush()
    counts = plan.counts()
    events.append((actor, "partners.imported", "partner_import", new_id("imp"), counts))
    record_many(session, events)
    return plan
