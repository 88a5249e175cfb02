"""``salingjaga guide ...``: purge old visitor hashes, print reach, publish the demo guide."""

from __future__ import annotations

from datetime import date

import typer

guide_app = typer.Typer(help="Election Guide Center: reach and privacy housekeeping.",
                        no_args_is_help=True)


@guide_app.command("purge")
def purge_command(
    keep_days: int = typer.Option(30, "--keep-days", help="keep salts and hashes of this many days"),
    database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Delete daily salts and visitor hashes older than --keep-days (counts are kept)."""
    from salingjaga.clikit import emit, fail, make_settings, open_db
    from salingjaga.core.errors import APIError
    from salingjaga.guide.reach import purge

    db = open_db(make_settings(database_url))
    try:
        with db.session() as session:
            out = purge(session, keep_days)
    except APIError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    emit(out, as_json, f"removed {out['hashes']} visitor hashes and {out['salts']} salts "
                       f"of days before {out['before']}")


@guide_app.command("reach")
def reach_command(
    start: str = typer.Option(..., "--from", help="first day, YYYY-MM-DD (WIB)"),
    end: str = typer.Option(..., "--to", help="last day, YYYY-MM-DD (WIB)"),
    election: str | None = typer.Option(None, "--election", help="election slug, e.g. pilkada-2024"),
    region: str | None = typer.Option(None, "--region", help="Kemendagri region code"),
    database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Print guide reach totals for a period."""
    from salingjaga.clikit import emit, fail, make_settings, open_db
    from salingjaga.core.errors import APIError
    from salingjaga.guide.reach import reach_summary

    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        fail(f"dates are YYYY-MM-DD: {exc}")
        return
    db = open_db(make_settings(database_url))
    try:
        with db.session() as session:
            out = reach_summary(session, first, last, election, region)
    except APIError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    human = "\n".join(f"{k:>18}: {v:,}" for k, v in out["totals"].items())
    emit(out, as_json, human)


def register(app: typer.Typer) -> None:
    """Add the ``guide`` commands to the main CLI."""
    app.add_typer(guide_app, name="guide")
