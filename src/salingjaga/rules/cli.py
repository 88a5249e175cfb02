"""``salingjaga rules ...``: close expired campaign accounts, propose classifications, and
show the calendar of a region."""

from __future__ import annotations

from datetime import date

import typer


def register(app: typer.Typer) -> None:
    """Add the ``rules`` command group."""
    rules_app = typer.Typer(help="Election rules: campaign accounts, GPPPA, calendar.", no_args_is_help=True)
    app.add_typer(rules_app, name="rules")

    @rules_app.command("close-campaign-accounts")
    def close_campaign_accounts(
        on: str | None = typer.Option(None, "--date", help="as of this local date YYYY-MM-DD (default today)"),
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Record in the audit log the closure of every campaign account past its validity."""
        from salingjaga.clikit import emit, fail, make_settings, open_db
        from salingjaga.rules.campaign_accounts import close_expired_campaign_accounts

        day = None
        if on:
            try:
                day = date.fromisoformat(on)
            except ValueError:
                fail(f"--date must be YYYY-MM-DD, not {on!r}")
        settings = make_settings(database_url)
        db = open_db(settings)
        try:
            with db.session() as session:
                closed = close_expired_campaign_accounts(session, day)
                out = [{"id": r.id, "election": r.election, "platform": r.platform,
                        "account": r.platform_account, "valid_to": str(r.valid_to)} for r in closed]
        finally:
            db.dispose()
        emit({"closed": out}, as_json, f"closed {len(out)} campaign account(s)")

    @rules_app.command("propose-classifications")
    def propose_classifications(
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Propose GPPPA kinds for ordinary accounts whose names suggest one."""
        from salingjaga.clikit import emit, make_settings, open_db
        from salingjaga.rules.classification import propose_all

        settings = make_settings(database_url)
        db = open_db(settings)
        try:
            with db.session() as session:
                count = propose_all(session)
        finally:
            db.dispose()
        emit({"proposals": count}, as_json, f"{count} account(s) proposed for GPPPA classification")

    @rules_app.command("calendar")
    def show_calendar(
        region: str | None = typer.Option(None, "--region", help="Kemendagri code; omit for national"),
        on: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (default today in the region)"),
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Which elections, races and periods apply to a region on a date."""
        from salingjaga.clikit import emit, fail
        from salingjaga.core.errors import APIError
        from salingjaga.core.settings import Settings
        from salingjaga.rules.calendar import calendar_answer

        try:
            day = date.fromisoformat(on) if on else None
            answer = calendar_answer(day, region, Settings())
        except ValueError:
            fail(f"--date must be YYYY-MM-DD, not {on!r}")
            return
        except APIError as exc:
            fail(exc.message)
            return
        lines = [f"{answer['date']} ({answer['timezone']}), region {region or 'national'}:"]
        for e in answer["elections"]:
            periods = ", ".join(p["period"] for p in e["active_periods"]) or "no active period"
            races = "; ".join(r["office"]["en"] + (f" ({r['region_name']})" if r["region_name"] else "")
                              for r in e["races"])
            lines.append(f"  {e['election']}: {periods}; races: {races or '-'}")
        lines.append(f"  case deadline: {answer['deadline_hours']:g} h")
        emit(answer, as_json, "\n".join(lines))
