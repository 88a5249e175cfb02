"""Bulk onboarding: the shipped Bawaslu office list, dry runs, idempotent re-imports, a
file with errors writing nothing, the command line and the admin page."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from typer.testing import CliRunner

from salingjaga.audit.models import AuditEvent
from salingjaga.cli import app as cli_app
from salingjaga.partners.models import Partner
from salingjaga.partners.offices import derive_bawaslu_offices, offices_csv, shipped_offices_csv
from salingjaga.partners.service import can_see
from salingjaga.regions.service import provinces, regencies
from tests.web.helpers import csrf_from, make_user, sign_in

runner = CliRunner()


def _import(database_url: str, *args: str) -> dict[str, Any]:
    r = runner.invoke(cli_app, ["partners", "import", *args, "--json", "--database-url", database_url])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_shipped_list_is_derived_from_the_region_data() -> None:
    assert shipped_offices_csv() == offices_csv(derive_bawaslu_offices())
    assert len(derive_bawaslu_offices()) == 1 + len(provinces()) + len(regencies()) == 553


def test_shipped_list_creates_553_offices_with_their_jurisdictions_and_reimport_changes_nothing(
        database_url: str, db: Any) -> None:
    dry = _import(database_url, "--bawaslu", "--dry-run")
    assert dry["counts"] == {"create": 553, "update": 0, "unchanged": 0}
    with db.session() as s:
        assert s.scalar(select(func.count(Partner.id))) == 0  # a dry run writes nothing

    done = _import(database_url, "--bawaslu")
    assert done["counts"] == {"create": 553, "update": 0, "unchanged": 0}
    with db.session() as s:
        partners = list(s.scalars(select(Partner)))
        assert len(partners) == 553
        levels = Counter("national" if p.region_code is None else "province" if "." not in p.region_code
                         else "regency" for p in partners)
        assert levels == {"national": 1, "province": 38, "regency": 514}
        by_region = {p.region_code: p for p in partners}
        assert by_region["32.73"].name == "Bawaslu Kota Bandung"
        assert by_region["32"].name == "Bawaslu Provinsi Jawa Barat"
        ri, jabar, bandung, jatim = by_region[None], by_region["32"], by_region["32.73"], by_region["35"]
        assert can_see(ri, bandung) and can_see(jabar, bandung) and not can_see(jatim, bandung)
        assert not can_see(bandung, jabar)
        assert all(p.organisation == "bawaslu" and p.trusted for p in partners)
        # a regency's office names its province's office as the one above it
        change = next(c for c in done["changes"] if c["region"] == "32.73")
        assert change["parent"] == "Bawaslu Provinsi Jawa Barat"
        audit_before = s.scalar(select(func.count(AuditEvent.position)))

    again = _import(database_url, "--bawaslu")
    assert again["counts"] == {"create": 0, "update": 0, "unchanged": 553}
    with db.session() as s:
        assert s.scalar(select(func.count(Partner.id))) == 553
        # only the one summary event of the import run
        assert s.scalar(select(func.count(AuditEvent.position))) == audit_before + 1


def test_a_changed_row_updates_its_office_and_an_error_writes_nothing(database_url: str, db: Any,
                                                                      tmp_path: Any) -> None:
    good = tmp_path / "offices.csv"
    good.write_text("name,kind,region_code,contact_email\n"
                    "Bawaslu Jawa Barat,election_supervisor,32,\n"
                    "Bawaslu Kota Bandung,election_supervisor,32.73,kota.bandung@bawaslu.example\n")
    first = _import(database_url, str(good))
    assert first["counts"]["create"] == 2
    assert first["warnings"] == ["line 2: Bawaslu Jawa Barat has no office above it (bawaslu, national)"]
    good.write_text("name,kind,region_code,contact_email\n"
                    "Bawaslu Jawa Barat,election_supervisor,32,\n"
                    "Bawaslu Kota Bandung,election_supervisor,32.73,humas@bandung.bawaslu.example\n")
    second = _import(database_url, str(good), "--dry-run")
    assert second["counts"] == {"create": 0, "update": 1, "unchanged": 1}
    assert second["changes"][1]["fields"] == {
        "contact_email": ["kota.bandung@bawaslu.example", "humas@bandung.bawaslu.example"]}
    _import(database_url, str(good))

    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,region_code,contact_email\n"
                   "Bawaslu Kota Bekasi,election_supervisor,32.75,\n"
                   "Bawaslu Atlantis,election_supervisor,99.99,\n"
                   "Bawaslu Kota Bekasi lagi,election_supervisor,32.75,not-an-address\n")
    r = runner.invoke(cli_app, ["partners", "import", str(bad), "--database-url", database_url])
    assert r.exit_code == 1
    assert "line 3: unknown region code '99.99'" in r.output
    assert "line 4: contact_email" in r.output
    with db.session() as s:
        assert s.scalar(select(func.count(Partner.id))) == 2
        assert s.scalar(select(Partner.contact_email).where(Partner.region_code == "32.73")) \
            == "humas@bandung.bawaslu.example"


def test_admin_page_dry_run_then_import(client: Any, world: Any, db: Any) -> None:
    make_user(world, "admin", "admin@sj.id")
    sign_in(client, "admin@sj.id")
    page = client.get("/admin/partners/import")
    assert page.status_code == 200
    csv_text = ("name,kind,region_code,contact_email\n"
                "Bawaslu RI,election_supervisor,,\nBawaslu Provinsi Bali,election_supervisor,51,\n")
    dry = client.post("/admin/partners/import", data={"csrf_token": csrf_from(page.text), "source": "file",
                                                      "action": "dry_run"},
                      files={"file": ("offices.csv", csv_text.encode(), "text/csv")})
    assert dry.status_code == 200, dry.text
    assert "Would create 2, update 0, leave 0 unchanged." in dry.text
    with db.session() as s:
        assert s.scalar(select(func.count(Partner.id))) == 0
    done = client.post("/admin/partners/import", data={"csrf_token": csrf_from(dry.text), "source": "file",
                                                       "action": "apply", "csv_text": csv_text})
    assert "Created 2, updated 0, unchanged 0." in done.text
    with db.session() as s:
        assert sorted(s.scalars(select(Partner.name))) == ["Bawaslu Provinsi Bali", "Bawaslu RI"]
    bad = client.post("/admin/partners/import", data={"csrf_token": csrf_from(dry.text), "source": "file",
                                                      "action": "apply", "csv_text": "name,kind\nX,bank\n"})
    assert bad.status_code == 422
    assert "The first line of the file lacks the columns region_code." in bad.text
