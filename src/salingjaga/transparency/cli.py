"""``salingjaga transparency``: report, partner-report, export-statements,
validate-statements and rollup."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer


def _day(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date as YYYY-MM-DD") from exc


def register(app: typer.Typer) -> None:
    """Add the transparency commands."""
    t_app = typer.Typer(help="Transparency reports, DSA statement exports, charts.",
                        no_args_is_help=True)
    app.add_typer(t_app, name="transparency")

    From = typer.Option(..., "--from", help="first WIB day, YYYY-MM-DD")
    To = typer.Option(..., "--to", help="last WIB day (included), YYYY-MM-DD")
    Election = typer.Option(None, "--election", help="election slug, e.g. pemilu-2024")
    Region = typer.Option(None, "--region", help="Kemendagri code; a province includes its regencies")
    Db = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL")

    def run(database_url: str | None, work: Any) -> Any:
        from salingjaga.clikit import fail, make_settings, open_db
        from salingjaga.core.errors import APIError

        db = open_db(make_settings(database_url))
        try:
            with db.session() as session:
                return work(session)
        except APIError as exc:
            fail(exc.message)
        finally:
            db.dispose()

    @t_app.command("report")
    def report_cmd(
        from_: str = From, to: str = To, election: str | None = Election, region: str | None = Region,
        fmt: str = typer.Option("json", "--format", help="json or csv"),
        charts: Path | None = typer.Option(None, "--charts", help="write policy.svg, daily.svg, ttd.svg here"),
        out: Path | None = typer.Option(None, "--out", help="write the report to this file instead of stdout"),
        lang: str = typer.Option("en", "--lang", help="language of the chart labels: id or en"),
        database_url: str | None = Db,
    ) -> None:
        """Print (or write) the period report as JSON or CSV, and optionally its charts."""
        from salingjaga.clikit import console, fail
        from salingjaga.transparency import service
        from salingjaga.transparency.exports import to_csv, to_json

        if fmt not in ("json", "csv"):
            fail("--format is json or csv")
        start, end = _day(from_), _day(to)

        def work(session: Any) -> dict[str, Any]:
            return service.period_report(session, service.make_scope(start, end, election, region))

        report = run(database_url, work)
        body = to_json(report) if fmt == "json" else to_csv(report)
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(body, "utf-8")
            console.print(f"report written to {out}")
        else:
            typer.echo(body, nl=fmt == "json")
        if charts is not None:
            for path in service.write_charts(report, charts, lang if lang in ("id", "en") else "en"):
                console.print(f"chart {path}")

    @t_app.command("partner-report")
    def partner_report_cmd(
        partner: str = typer.Option(..., "--partner", help="partner id"),
        from_: str = From, to: str = To, database_url: str | None = Db,
    ) -> None:
        """Print one partner's notices by policy and by action taken (DSA Art. 22(3)) as JSON."""
        from salingjaga.transparency import service
        from salingjaga.transparency.exports import to_json

        start, end = _day(from_), _day(to)
        report = run(database_url, lambda s: service.partner_report(
            s, partner, service.make_scope(start, end)))
        typer.echo(to_json(report))

    @t_app.command("export-statements")
    def export_cmd(
        from_: str = From, to: str = To, out: Path = typer.Option(..., "--out", help="output folder"),
        election: str | None = Election, region: str | None = Region, database_url: str | None = Db,
        as_json: bool = typer.Option(False, "--json", help="print the manifest as JSON"),
    ) -> None:
        """Write the period's statements of reasons as DSA batches of at most 100.

        Only restrictions that apply in the EEA are written; the rest (Indonesian law,
        Indonesia-only election rules) are counted under ``left_out`` with the reason."""
        from rich.progress import Progress, SpinnerColumn, TextColumn

        from salingjaga.clikit import console, emit
        from salingjaga.transparency import service
        from salingjaga.transparency.dsa import describe_left_out

        start, end = _day(from_), _day(to)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                      transient=True) as progress:
            progress.add_task("exporting statements of reasons", total=None)
            manifest = run(database_url, lambda s: service.export_statements(
                s, service.make_scope(start, end, election, region), out))
        emit(manifest, as_json, f"{manifest['exported']} statements in {len(manifest['files'])} "
                                f"files under {out}; {describe_left_out(manifest['left_out'])}; "
                                f"{len(manifest['rejected'])} rejected by the DSA rules (see manifest.json)")

    @t_app.command("validate-statements")
    def validate_cmd(
        files: list[Path] = typer.Argument(..., help="batch files ({\"statements\": [...]}) or files of one "
                                           "statement object"),
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Check files against the DSA Transparency Database API's statement rules; exit 1 on any
        error. Each error names the statement (``statements[i]``) and the field."""
        from salingjaga.transparency.dsa import validate_file

        results = {str(f): validate_file(f) for f in files}
        bad = {k: v for k, v in results.items() if v}
        if as_json:
            typer.echo(json.dumps({"ok": not bad, "errors": results}, ensure_ascii=False))
        else:
            for name, errors in results.items():
                typer.echo(f"{name}: {'ok' if not errors else f'{len(errors)} error(s)'}")
                for e in errors:
                    typer.echo(f"  - {e}")
        if bad:
            raise typer.Exit(1)

    @t_app.command("rollup")
    def rollup_cmd(
        from_: str | None = typer.Option(None, "--from", help="first WIB day (default: every marked day)"),
        to: str | None = typer.Option(None, "--to", help="last WIB day (default: every marked day)"),
        verify: bool = typer.Option(False, "--verify", help="also compare raw per-day counts with the "
                                    "rollups (after loading rows with triggers off)"),
        database_url: str | None = Db,
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Bring the daily rollups up to date (only the days writes touched are rebuilt)."""
        from salingjaga.clikit import emit
        from salingjaga.transparency.rollup import refresh_rollup

        start = _day(from_) if from_ else None
        end = _day(to) if to else None
        stats = run(database_url, lambda s: refresh_rollup(s, start, end, verify=verify))
        emit(stats, as_json, f"rollup ({stats['detector']}): {stats['days_checked']} days checked, "
                             f"{stats['days_rebuilt']} rebuilt, {stats['rows_written']} rows written")
