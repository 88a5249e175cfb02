"""The command line. Domains add their own commands through ``<domain>/cli.py:register``."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Any

import typer

from salingjaga.audit import cli as audit_cli
from salingjaga.auth.roles import ROLES

# the helpers every command uses, kept importable from here as before
from salingjaga.clikit import console, emit, fail, make_settings, on_open, open_db, run_app
from salingjaga.detection import cli as detection_cli
from salingjaga.factcheck import cli as factcheck_cli
from salingjaga.guide import cli as guide_cli
from salingjaga.moderation import cli as moderation_cli
from salingjaga.partners.models import PARTNER_KINDS
from salingjaga.rules import cli as rules_cli
from salingjaga.simulate import cli as simulate_cli
from salingjaga.stream import cli as stream_cli
from salingjaga.transparency import cli as transparency_cli

app = typer.Typer(help="SalingJaga: open election-integrity platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema and maintenance.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
partners_app = typer.Typer(help="Partner organisations.", no_args_is_help=True)
users_app = typer.Typer(help="Users and API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(partners_app, name="partners")
app.add_typer(users_app, name="users")


def _wire() -> None:
    # imported when a command opens the database, not when the CLI starts: wiring imports
    # every domain
    from salingjaga.wiring import wire

    wire()


on_open(_wire)

# Choices the command line checks and lists in its help.
RoleChoice = StrEnum("RoleChoice", {r: r for r in ROLES})  # type: ignore[misc]

DatabaseUrl = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on", min=1, max=65535),
    database_url: str | None = DatabaseUrl,
    workers: int = typer.Option(1, help="API processes (production: several, Redis stream)"),
    migrate: bool = typer.Option(True, help="apply migrations first"),
) -> None:
    """Serve the API and web app (and, embedded, the detection worker in-process)."""
    import uvicorn

    from salingjaga.migrate import upgrade

    settings = make_settings(database_url)
    _check_port(host, port)
    if migrate:
        upgrade(settings)
    if database_url:
        os.environ["SALINGJAGA_DATABASE_URL"] = database_url
    console.print(f"SalingJaga on http://{host}:{port} ({settings.database_url.split(':')[0]})")
    uvicorn.run(
        "salingjaga.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
    )


def _check_port(host: str, port: int) -> None:
    """Fail with a hint when the port is taken (uvicorn would print only its errno)."""
    import errno
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"port {port} on {host} is already in use; stop what listens there or choose "
                     f"another port: salingjaga serve --port 8080 (make run PORT=8080)")
            raise


@db_app.command("upgrade")
def db_upgrade(database_url: str | None = DatabaseUrl) -> None:
    """Apply every migration and say what was applied."""
    from salingjaga.migrate import applied_revisions, pending_count, upgrade

    settings = make_settings(database_url)
    before = applied_revisions(settings.database_url)
    todo = pending_count(before)
    upgrade(settings)
    where = settings.database_url.split("://", 1)[0]
    if not before:
        console.print(f"created the schema on a new {where} database ({todo} migrations applied)")
    elif todo:
        console.print(f"applied {todo} migrations; schema up to date")
    else:
        console.print("schema up to date (nothing to apply)")


@db_app.command("backup")
def db_backup(
    out: str = typer.Option(..., "--out", help="file to write"),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Write a consistent snapshot of the embedded SQLite database."""
    from pathlib import Path

    from salingjaga.backup import backup
    from salingjaga.core.errors import APIError

    settings = make_settings(database_url)
    try:
        path = backup(settings.database_url, Path(out))
    except APIError as exc:
        fail(exc.message)
    console.print(f"backup written to {path}")


@db_app.command("restore")
def db_restore(
    source: str = typer.Argument(..., help="backup file"),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Replace the embedded database with a backup, once a copy of it has passed every check
    (schema version, tables, audit chain and anchors); the previous database is kept."""
    from pathlib import Path

    from salingjaga.audit.anchors import anchor_path, database_id
    from salingjaga.backup import restore
    from salingjaga.core.errors import APIError

    settings = make_settings(database_url)
    try:
        done = restore(settings.database_url, Path(source), anchors=anchor_path(settings.data_dir),
                       anchor_database=database_id(settings.database_url))
    except APIError as exc:
        fail(f"not restored, the live database is unchanged: {exc.message}")
        return
    v = done.verified
    for warning in v.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", soft_wrap=True)
    if v.upgraded_from:
        console.print(f"schema migrated from {', '.join(v.upgraded_from)} to {', '.join(v.revisions)}")
    if done.kept is not None:
        console.print(f"previous database kept at {done.kept}", soft_wrap=True)  # a path to copy
    console.print(f"restored; audit chain intact ({v.audit_entries} entries)")


@db_app.command("verify")
def db_verify(
    database_url: str | None = DatabaseUrl,
    anchors_of: str | None = typer.Option(
        None, "--anchors-of", help="check the heads anchored for this database URL (default: the one "
        "verified); for a copy restored under a new name, the live database's URL"),
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Check a database without changing it: a SalingJaga schema this code knows, every
    table present, the audit chain and its anchors intact. Run it on a PostgreSQL database
    restored under a new name before renaming it into place."""
    from salingjaga.audit.anchors import anchor_path, database_id
    from salingjaga.backup import verify_database
    from salingjaga.core.errors import APIError

    settings = make_settings(database_url)
    try:
        v = verify_database(settings.database_url, anchors=anchor_path(settings.data_dir),
                            anchor_database=database_id(anchors_of or settings.database_url))
    except APIError as exc:
        fail(exc.message)
        return
    for warning in v.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", soft_wrap=True)
    emit({"ok": True, "revisions": v.revisions, "audit_entries": v.audit_entries, "warnings": v.warnings},
         as_json, f"database verified: schema {', '.join(v.revisions)}; audit chain intact "
                  f"({v.audit_entries} entries)")


@demo_app.command("load")
def demo_load(
    database_url: str | None = DatabaseUrl,
    as_json: bool = typer.Option(False, "--json", help="print the logins and keys as JSON"),
    history: bool = typer.Option(False, "--history", help="also fill an election period from a simulated "
                                 "run: Pemilu 2024, 28 Nov 2023 - 15 Feb 2024, at the seeds' figures"),
    history_scale: float = typer.Option(1.0, "--history-scale", min=0.001, max=1.0,
                                        help="the share of that period's volume (1.0: ~59,000 removals, "
                                             "which takes a while; 0.05 for a quick look)"),
) -> None:
    """Load demo data (idempotent) and print the demo logins and API keys."""
    from salingjaga.demo.load import load_and_scan

    settings = make_settings(database_url)
    db = open_db(settings)
    past = None
    if history:
        # First, into a database without cases: the simulated moderators claim whatever waits.
        from salingjaga.demo.history import load_history_and_rollup

        try:
            past = load_history_and_rollup(db, settings, history_scale)
        except ValueError as exc:
            fail(str(exc))
        console.print(f"history: {past['summary'] if past else ''}")
    creds = load_and_scan(db, settings)  # disposes of db
    if past is not None:
        creds["history"] = past
    if as_json:
        emit(creds, True)
        return
    if not creds.get("users"):
        console.print("demo data already loaded (keys were shown the first time; see var/demo-credentials.json)")
        return
    from salingjaga.demo.load import print_credentials

    print_credentials(creds)


@partners_app.command("create")
def partners_create(
    name: str = typer.Option(..., "--name", help="the organisation's name at this jurisdiction"),
    kind: str = typer.Option(..., "--kind", help=f"what the organisation is: {', '.join(PARTNER_KINDS)}"),
    region: str | None = typer.Option(None, "--region", help="Kemendagri code; omit for national"),
    organisation: str | None = typer.Option(None, "--organisation", help="groups an organisation's partners "
                                            "across jurisdictions, e.g. bawaslu"),
    trusted: bool = typer.Option(False, "--trusted", help="a trusted flagger (DSA Art. 22): its notices come first"),
    policies: str = typer.Option("", "--policies", help="comma-separated policy codes"),
    database_url: str | None = DatabaseUrl,
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Create a partner and print its id and first API key."""
    from salingjaga.auth.service import create_api_key, create_user
    from salingjaga.core.errors import APIError
    from salingjaga.partners.service import create_partner

    settings = make_settings(database_url)
    db = open_db(settings)
    try:
        with db.session() as session:
            partner = create_partner(
                session, name=name, kind=kind, region=region, organisation=organisation,
                trusted=trusted, policies=[p.strip() for p in policies.split(",") if p.strip()],
            )
            user = create_user(session, name=f"{name} (API)", role="partner_reporter",
                               partner_id=partner.id)
            key = create_api_key(session, user.id, label="initial")
            out = {"id": partner.id, "api_key": key, "user_id": user.id}
    except APIError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    emit(out, as_json, f"partner {out['id']}\napi key (shown once): {out['api_key']}")


@partners_app.command("import")
def partners_import(
    file: str | None = typer.Argument(None, help="CSV: name,kind,region_code,contact_email[,organisation,"
                                      "trusted,policies]"),
    bawaslu: bool = typer.Option(False, "--bawaslu", help="import the shipped list of 553 Bawaslu offices"),
    dry_run: bool = typer.Option(False, "--dry-run", help="show what would change, write nothing"),
    database_url: str | None = DatabaseUrl,
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Create or update partner offices from a CSV file, one row per office; importing the
    same file again changes nothing."""
    from pathlib import Path

    from salingjaga.core.errors import APIError
    from salingjaga.partners.importer import apply_import, plan_import
    from salingjaga.partners.offices import shipped_offices_csv

    if bool(file) == bawaslu:
        fail("give a CSV file or --bawaslu (the shipped office list), not both")
    text = shipped_offices_csv() if bawaslu else Path(str(file)).read_text("utf-8-sig")
    settings = make_settings(database_url)
    db = open_db(settings)
    try:
        with db.session() as session:
            plan = plan_import(session, text) if dry_run else apply_import(session, text)
    except APIError as exc:
        fail(exc.message)
        return
    finally:
        db.dispose()
    if plan.errors:
        for error in plan.errors:
            console.print(f"[red]{error}[/red]", soft_wrap=True)
        fail(f"{len(plan.errors)} errors; nothing would be imported")
    counts = plan.counts()
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", soft_wrap=True)
    verb = "would create" if dry_run else "created"
    emit({**plan.as_dict(), "dry_run": dry_run}, as_json,
         f"{verb} {counts['create']}, {'would update' if dry_run else 'updated'} {counts['update']}, "
         f"unchanged {counts['unchanged']}")


@users_app.command("create")
def users_create(
    name: str = typer.Option(..., "--name", help="the person's or service's name"),
    role: RoleChoice = typer.Option(..., "--role", help="the user's role (one per user)"),
    partner: str | None = typer.Option(None, "--partner", help="partner id (partner roles must have one)"),
    email: str | None = typer.Option(None, "--email", help="sign-in address for the web pages"),
    password: str | None = typer.Option(None, "--password", help="for web login"),
    database_url: str | None = DatabaseUrl,
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Create a user and print its id and API key."""
    from salingjaga.auth.service import create_api_key, create_user
    from salingjaga.core.errors import APIError

    settings = make_settings(database_url)
    db = open_db(settings)
    try:
        with db.session() as session:
            user = create_user(session, name=name, role=role.value, partner_id=partner, email=email,
                               password=password)
            key = create_api_key(session, user.id)
            out = {"id": user.id, "api_key": key}
    except APIError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    emit(out, as_json, f"user {out['id']}\napi key (shown once): {out['api_key']}")


@users_app.command("invite")
def users_invite(
    email: str = typer.Option(..., "--email"),
    role: str = typer.Option(..., "--role"),
    name: str = typer.Option("", "--name"),
    partner: str | None = typer.Option(None, "--partner", help="partner id"),
    language: str = typer.Option("id", "--language", help="id or en: the e-mail's language"),
    database_url: str | None = DatabaseUrl,
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """E-mail a one-time link with which the person sets a password (and enrols TOTP)."""
    from salingjaga.auth.invitations import invite

    _send_link(database_url, as_json, lambda s, settings: invite(
        s, email=email, name=name, role=role, partner_id=partner, language=language,
        secret_key=settings.secret_key))


@users_app.command("reset-access")
def users_reset_access(
    user_id: str = typer.Argument(..., help="user id"),
    database_url: str | None = DatabaseUrl,
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Remove a user's second factor and e-mail a link to set a new password and enrol again."""
    from salingjaga.auth.invitations import invite_reset

    _send_link(database_url, as_json, lambda s, settings: invite_reset(s, user_id, secret_key=settings.secret_key))


def _send_link(database_url: str | None, as_json: bool, issue: Any) -> None:
    from salingjaga.core.errors import APIError
    from salingjaga.partners.service import partners_by_id
    from salingjaga.web.invite import send_invitation

    settings = make_settings(database_url)
    db = open_db(settings)
    try:
        with db.session() as session:
            issued = issue(session, settings)
            inv = issued.invitation
            office = partners_by_id(session, [inv.partner_id] if inv.partner_id else []).get(inv.partner_id or "")
            session.flush()
            send_invitation(settings, issued, office.name if office else None)
            out = {"invitation_id": inv.id, "email": inv.email, "expires_at": inv.expires_at.isoformat()}
    except APIError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"the mail server refused the message; nothing was saved: {exc}")
    finally:
        db.dispose()
    emit(out, as_json, f"invitation {out['invitation_id']} sent to {out['email']}, valid until {out['expires_at']}")


# Each domain's ``register(app)``, in ``domains.DOMAINS`` order.
DOMAIN_CLIS = (audit_cli, rules_cli, detection_cli, factcheck_cli, moderation_cli, guide_cli,
               transparency_cli, stream_cli)


def _register_domains() -> None:
    for module in DOMAIN_CLIS:
        module.register(app)
    simulate_cli.register(app)  # above the domains: it drives them in virtual time


_register_domains()


def main() -> None:
    """Entry point of the ``salingjaga`` command."""
    run_app(app)
