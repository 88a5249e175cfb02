"""Commands for the text signals: ``salingjaga train``, ``salingjaga export-training`` and
``salingjaga eval claims``. Registered from ``factcheck/cli.py``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

eval_app = typer.Typer(help="Measure detection quality on labelled data.", no_args_is_help=True)


@eval_app.command("claims")
def eval_claims(
    factchecks: Path = typer.Option(..., "--factchecks", exists=True, dir_okay=False,
                                    help="CSV with columns id,text"),
    queries: Path = typer.Option(..., "--queries", exists=True, dir_okay=False,
                                 help="CSV with columns text,expected_id"),
    semantic: str = typer.Option("auto", help="auto, always or never"),
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Recall@1, recall@5, MRR@5 and queries/s of the production claim matcher."""
    from salingjaga.clikit import emit, fail
    from salingjaga.detection.text.eval import evaluate, load_pairs

    try:
        facts, qs = load_pairs(factchecks, queries)
    except (KeyError, ValueError) as exc:
        fail(f"bad input: {exc}")
        return
    result = evaluate(facts, qs, semantic=semantic)
    human = "  ".join(f"{k} {v:.3f}" for k, v in result.items())
    emit({k: round(v, 4) for k, v in result.items()}, as_json, human)


def train(
    data: Path = typer.Option(..., "--data", exists=True, dir_okay=False,
                              help="CSV with columns text,label"),
    out: Path | None = typer.Option(None, "--out", help="model file (default: data dir)"),
    database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
) -> None:
    """Retrain the text classifiers from a CSV of text,label (e.g. past decisions)."""
    from salingjaga.clikit import console, fail, make_settings
    from salingjaga.detection.text.classifier import MODEL_FILE, read_examples, save
    from salingjaga.detection.text.classifier import train as fit

    settings = make_settings(database_url)
    try:
        with open(data, encoding="utf-8", newline="") as fh:
            examples = read_examples(fh)
        model = fit(examples)
    except (ValueError, UnicodeDecodeError) as exc:
        fail(str(exc))
        return
    target = out or settings.data_dir / MODEL_FILE
    save(model, target)
    console.print(f"trained on {len(examples)} examples, labels {sorted(model.models)}; saved {target}")


def export_training(
    out: Path = typer.Option(Path("-"), "--out", help="CSV file; - for stdout"),
    database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
) -> None:
    """Export decided cases as text,label rows for ``salingjaga train``. Captions come from
    anyone who posts, and the file is opened in spreadsheets to review labels, so every
    cell is neutralised (``salingjaga.core.csvsafe``); ``train`` reads the text back exactly."""
    from salingjaga.clikit import console, make_settings, open_db
    from salingjaga.core import csvsafe
    from salingjaga.detection.text.training import decided_examples

    settings = make_settings(database_url)
    db = open_db(settings)
    try:
        with db.session() as session:
            rows = decided_examples(session)
    finally:
        db.dispose()
    fh = sys.stdout if str(out) == "-" else open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        writer = csvsafe.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    finally:
        if fh is not sys.stdout:
            fh.close()
    console.print(f"exported {len(rows)} decided examples")


def register(app: typer.Typer) -> None:
    """Add the text-signal commands to the main CLI."""
    app.add_typer(eval_app, name="eval")
    app.command("train")(train)
    app.command("export-training")(export_training)


__all__ = ["register"]
