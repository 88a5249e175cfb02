"""``salingjaga factchecks import FILE`` and the text-signal commands (train, eval)."""

from __future__ import annotations

from pathlib import Path

import typer

factchecks_app = typer.Typer(help="The fact-check database.", no_args_is_help=True)
BATCH = 500


@factchecks_app.command("import")
def import_factchecks(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="ClaimReview JSON-LD, Google Fact Check Tools JSON, or CSV"),
    match: bool = typer.Option(True, help="match new fact-checks against content already taken in"),
    database_url: str | None = typer.Option(None, "--database-url"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Import fact-checks; a re-import updates the known ones instead of duplicating them."""
    from rich.progress import Progress

    from salingjaga.cli import console, emit, fail, make_settings, open_db
    from salingjaga.errors import APIError
    from salingjaga.factcheck.service import parse_file, store_factcheck

    try:
        items = parse_file(file.name, file.read_text(encoding="utf-8-sig"))
    except (APIError, UnicodeDecodeError) as exc:
        fail(getattr(exc, "message", str(exc)))
        return
    settings = make_settings(database_url)
    db = open_db(settings)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}
    errors: list[str] = []
    touched: list[str] = []
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("importing fact-checks", total=len(items))
            for start in range(0, len(items), BATCH):
                with db.session() as session:  # one transaction per batch, a savepoint per row
                    for number, data in enumerate(items[start:start + BATCH], start=start + 1):
                        savepoint = session.begin_nested()
                        try:
                            row, outcome = store_factcheck(session, data, actor="system:import")
                            savepoint.commit()
                        except APIError as exc:
                            savepoint.rollback()
                            counts["errors"] += 1
                            errors.append(f"item {number}: {exc.message}")
                            continue
                        counts[outcome] += 1
                        if outcome != "unchanged":
                            touched.append(row.id)
                progress.advance(task, min(BATCH, len(items) - start))
        if match and touched:
            from salingjaga.stream.handlers import dispatch

            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("matching content already taken in", total=len(touched))
                for fid in touched:
                    dispatch(db, settings, "factcheck", {"factcheck_id": fid})
                    progress.advance(task)
    finally:
        db.dispose()
    for line in errors[:20]:
        console.print(f"[yellow]skipped[/yellow] {line}")
    emit({**counts, "errors_detail": errors}, as_json,
         f"created {counts['created']}, updated {counts['updated']}, "
         f"unchanged {counts['unchanged']}, errors {counts['errors']}")


def register(app: typer.Typer) -> None:
    """Add the fact-check and text-signal commands to the main CLI."""
    from salingjaga.detection import cli_text

    app.add_typer(factchecks_app, name="factchecks")
    cli_text.register(app)
