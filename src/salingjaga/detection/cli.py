"""``salingjaga scan FILE.jsonl`` and ``salingjaga hashbanks import FILE --bank NAME``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer


def _scan_context(bank_files: list[Path], database_url: str | None) -> Any:
    from salingjaga.core.settings import Settings
    from salingjaga.detection.bank_store import parse_bank_file
    from salingjaga.detection.banks import BankEntry, BankMatcher, entry_id
    from salingjaga.detection.history import MemoryHistory
    from salingjaga.detection.media.ocr import default_engine
    from salingjaga.detection.media.screen_text import MemoryOcrCache, ScreenReader
    from salingjaga.detection.pipeline import ScanContext, default_classifier
    from salingjaga.detection.routing import load_config

    # the trust list comes from the environment (SALINGJAGA_C2PA_TRUST_ANCHORS), as for the server
    ctx = ScanContext(history=MemoryHistory(), classify=default_classifier(), routing=load_config(),
                      c2pa_trust_anchors=Settings().c2pa_trust_anchors,
                      screen_reader=ScreenReader(default_engine(), MemoryOcrCache()))
    entries: list[BankEntry] = []
    names: set[str] = set()
    for path in bank_files:
        # each file is its own bank, named by its stem (a second "hoax.csv" is "hoax-2")
        name, copy = path.stem, 1
        while name in names:
            copy += 1
            name = f"{path.stem}-{copy}"
        names.add(name)
        for n, (kind, value, label) in enumerate(parse_bank_file(path.read_text("utf-8")), 1):
            entries.append(BankEntry(entry_id(f"file:{name}", n), name, "review", "misinformation",
                                     kind, value, label))
    if database_url:
        from salingjaga.clikit import make_settings, open_db
        from salingjaga.detection.bank_cache import entries as stored_entries
        from salingjaga.detection.service import context_for

        settings = make_settings(database_url)
        db = open_db(settings)
        with db.session() as session:
            db_ctx = context_for(session, settings)
            entries.extend(stored_entries(session))
            ctx.video_banks = db_ctx.video_banks
        ctx.claim_matcher = db_ctx.claim_matcher
    if entries:
        ctx.banks = BankMatcher(entries)
    return ctx


def register(app: typer.Typer) -> None:
    """Add the detection commands."""

    @app.command("scan")
    def scan_cmd(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL, one content item a line"),
        as_json: bool = typer.Option(False, "--json", help="one JSON object per line"),
        bank: list[Path] = typer.Option([], "--bank-file", help="hash bank file to match (repeatable)"),
        database_url: str | None = typer.Option(None, "--database-url",
                                                help="also use this database's banks and fact-checks"),
    ) -> None:
        """Scan content items (the POST /api/v1/content body, one per line): signals and route."""
        from salingjaga.detection.pipeline import scan_and_route

        ctx = _scan_context(bank, database_url)
        bad = 0
        with file.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    if not isinstance(item, dict):
                        raise ValueError("each line must be a JSON object")
                    item.setdefault("id", item.get("platform_id") or f"line-{line_no}")
                    signals, decision = scan_and_route(item, ctx)
                except ValueError as exc:
                    bad += 1
                    out: dict[str, Any] = {"line": line_no, "error": str(exc)}
                else:
                    out = {"line": line_no, "id": item["id"],
                           "signals": [s.as_dict() for s in signals], **decision.as_dict()}
                if as_json:
                    typer.echo(json.dumps(out, ensure_ascii=False, default=str))
                elif "error" in out:
                    typer.echo(f"line {line_no}: error: {out['error']}")
                else:
                    kinds = ", ".join(f"{s['type']} {s['score']:.2f}" for s in out["signals"]) or "-"
                    typer.echo(f"{out['id']}: {out['route']} [{kinds}]")
        if bad:
            raise typer.Exit(2)

    banks_app = typer.Typer(help="Media hash banks.", no_args_is_help=True)
    app.add_typer(banks_app, name="hashbanks")

    @banks_app.command("import")
    def import_cmd(
        file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                    help="CSV/TSV (hash,bank,label) or JSONL {hash, label}"),
        bank: str = typer.Option(..., "--bank", help="bank name (created on first use)"),
        threshold: int | None = typer.Option(None, "--threshold", help="PDQ distance (default 31)"),
        action: str = typer.Option("review", "--action", help="review, or remove (removed media)"),
        policy: str = typer.Option("misinformation", "--policy", help="policy the bank's matches are reviewed under"),
        source: str = typer.Option("", "--source", help="where the hashes come from (to remove them together)"),
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Import hashes into a bank; hashes already in it are skipped."""
        from salingjaga.clikit import emit, fail, make_settings, open_db
        from salingjaga.core.errors import APIError
        from salingjaga.detection.bank_store import get_or_create_bank, import_bank_entries, parse_bank_file

        settings = make_settings(database_url)
        db = open_db(settings)
        try:
            rows = parse_bank_file(file.read_text("utf-8"))
            with db.session() as session:
                b = get_or_create_bank(session, bank, policy=policy, action=action,
                                       pdq_threshold=threshold)
                added = import_bank_entries(session, b, rows, source=source)
                out = {"bank": bank, "rows": len(rows), "added": added,
                       "pdq_threshold": b.pdq_threshold, "action": b.action}
        except APIError as exc:
            fail(exc.message)
        finally:
            db.dispose()
        emit(out, as_json, f"bank {bank}: {added} new of {len(rows)} rows")

    # removing entries; vPDQ videos of a bank
    from salingjaga.detection import cli_banks

    cli_banks.register(banks_app)

    # the text signals: evaluating, training and exporting training data
    from salingjaga.detection import cli_text

    cli_text.register(app)

    # vPDQ video hashes and bank files
    from salingjaga.detection import cli_vpdq

    cli_vpdq.register(app)
