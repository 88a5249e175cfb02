"""``salingjaga audit verify``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the audit commands."""
    audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
    app.add_typer(audit_app, name="audit")

    @audit_app.command("verify")
    def verify_cmd(
        database_url: str | None = typer.Option(None, "--database-url"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Check the chain; exit 1 naming the first bad entry if any row was altered or removed."""
        from salingjaga.audit.service import verify
        from salingjaga.cli import emit, make_settings, open_db

        db = open_db(make_settings(database_url))
        with db.session() as session:
            report = verify(session)
        db.dispose()
        data = {"ok": report.ok, "checked": report.checked, "first_bad": report.first_bad,
                "reason": report.reason}
        if report.ok:
            emit(data, as_json, f"audit chain intact: {report.checked} entries")
        else:
            emit(data, as_json, f"audit chain BROKEN at entry {report.first_bad}: {report.reason}")
            raise typer.Exit(1)
