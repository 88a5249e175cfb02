"""``salingjaga factchecks import FILE`` and the text-signal commands (train, eval)."""

from __future__ import annotations

from pathlib import Path

import typer

factchecks_app = typer.Typer(help="The fact-check database.", no_args_is_help=True)
BATCH = 500


@factchecks_app.command("import")
def import_factchecks(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="ClaimReview JSON-LD, Google Fact Check Tools JSON, or CSV/TSV"),
    match: bool = typer.Option(True, help="match new fact-checks against content already taken in"),
    database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Import fact-checks; a re-import updates the known ones instead of duplicating them.

    A record that cannot be read or stored is reported and skipped; the rest are kept.
    Exits non-zero when a non-empty file gives nothing at all, so a script notices a file
    in a shape nobody reads."""
    from rich.progress import Progress

    from salingjaga.clikit import console, emit, fail, make_settings, open_db
    from salingjaga.core.errors import APIError
    from salingjaga.factcheck.service import ImportSummary, import_items, nothing_imported, parse_document

    try:
        text = file.read_text(encoding="utf-8-sig")
        parsed = parse_document(file.name, text)
    except (APIError, UnicodeDecodeError) as exc:
        fail(getattr(exc, "message", str(exc)))
        return
    settings = make_settings(database_url)
    summary = ImportSummary(errors=list(parsed.errors))
    items = parsed.items
    if items:
        db = open_db(settings)
        try:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("importing fact-checks", total=len(items))
                for start in range(0, len(items), BATCH):
                    with db.session() as session:  # one transaction per batch, a savepoint per row
                        import_items(session, items[start:start + BATCH], summary,
                                     actor="system:import")
                    progress.advance(task, min(BATCH, len(items) - start))
            if match and summary.touched:
                from salingjaga.stream.handlers import dispatch

                with Progress(console=console, transient=True) as progress:
                    task = progress.add_task("matching content already taken in",
                                             total=len(summary.touched))
                    for fid in summary.touched:
                        dispatch(db, settings, "factcheck", {"factcheck_id": fid})
                        progress.advance(task)
        finally:
            db.dispose()
    for error in summary.errors[:20]:
        console.print(f"[yellow]skipped[/yellow] {_plain(error.item)}: {_plain(error.message)}")
    if len(summary.errors) > 20:
        console.print(f"[yellow]... and {len(summary.errors) - 20} more skipped[/yellow]")
    reason = nothing_imported(file.name, parsed, summary) if text.strip() else None
    if reason is not None:
        if as_json:
            emit(summary.as_dict(), True)
        # One line, however narrow the terminal: scripts grep it, people read it.
        console.print(f"[red]error:[/red] {_plain(reason)}", soft_wrap=True)
        raise typer.Exit(1)
    emit(summary.as_dict(), as_json, summary.line())


def _plain(text: str) -> str:
    """Text safe to print through rich: publishers' words may hold ``[brackets]``."""
    from rich.markup import escape

    return escape(text)


def register(app: typer.Typer) -> None:
    """Add the fact-check commands to the main CLI."""
    app.add_typer(factchecks_app, name="factchecks")
