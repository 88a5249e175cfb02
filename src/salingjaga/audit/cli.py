"""``salingjaga audit verify`` and ``salingjaga audit anchor``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

DataDir = typer.Option(None, "--data-dir", help="overrides SALINGJAGA_DATA_DIR (where anchors are kept)")


def _check(database_url: str | None, data_dir: Path | None, write: bool) -> dict[str, Any]:
    """Verify the chain and its anchors; on success anchor the head when ``write``."""
    from salingjaga.audit.anchors import anchor_head, anchor_path, database_id, verify_anchored
    from salingjaga.audit.service import verify
    from salingjaga.clikit import fail, make_settings, open_db

    overrides: dict[str, Any] = {"data_dir": data_dir} if data_dir is not None else {}
    settings = make_settings(database_url, **overrides)
    path = anchor_path(settings.data_dir)
    database = database_id(settings.database_url)
    db = open_db(settings)
    try:
        from salingjaga.audit.service import chain_all

        chain_all(db)  # deferred-mode events join the chain before it is checked
        with db.session() as session:
            try:
                report = verify_anchored(session, path, database, verify(session))
            except ValueError as exc:
                fail(str(exc))
            anchor = anchor_head(session, path, database) if report.ok and write else None
    finally:
        db.dispose()
    return {"ok": report.ok, "checked": report.checked, "first_bad": report.first_bad,
            "reason": report.reason, "anchor_file": str(path),
            "anchor": {"position": anchor.position, "hash": anchor.hash, "at": anchor.at} if anchor else None}


def register(app: typer.Typer) -> None:
    """Add the audit commands."""
    audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
    app.add_typer(audit_app, name="audit")

    @audit_app.command("verify")
    def verify_cmd(
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
        data_dir: Path | None = DataDir,
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Check the chain and every anchored head; exit 1 naming the first bad or missing
        entry. A successful check anchors the current head."""
        from salingjaga.clikit import emit

        data = _check(database_url, data_dir, write=True)
        if data["ok"]:
            emit(data, as_json, f"audit chain intact: {data['checked']} entries")
        else:
            emit(data, as_json, f"audit chain BROKEN at entry {data['first_bad']}: {data['reason']}")
            raise typer.Exit(1)

    @audit_app.command("anchor")
    def anchor_cmd(
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
        data_dir: Path | None = DataDir,
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Verify, then append the chain's head (position, hash) to the anchor file and print
        it for publishing. Refuses to anchor a broken chain."""
        from salingjaga.clikit import emit

        data = _check(database_url, data_dir, write=True)
        if not data["ok"]:
            emit(data, as_json, f"not anchored: audit chain BROKEN at entry {data['first_bad']}: {data['reason']}")
            raise typer.Exit(1)
        a = data["anchor"]
        emit(data, as_json, "audit chain is empty: nothing to anchor" if a is None else
             f"audit head anchored: position {a['position']} hash {a['hash']} (publish this line)")
