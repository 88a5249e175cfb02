"""``salingjaga hashbanks remove|import-vpdq|export-vpdq``: removing bank entries and
keeping a bank's vPDQ videos, the same operations as the API (audited as the CLI)."""

from __future__ import annotations

from pathlib import Path

import typer

ACTOR = "cli:hashbanks"


def register(banks_app: typer.Typer) -> None:
    """Add the commands to ``salingjaga hashbanks``."""

    @banks_app.command("remove")
    def remove_cmd(
        bank: str = typer.Option(..., "--bank", help="bank name"),
        ids: list[int] = typer.Option([], "--id", help="entry id (repeatable)"),
        hashes: list[str] = typer.Option([], "--hash", help="PDQ or MD5 hash (repeatable)"),
        source: str | None = typer.Option(None, "--source", help="every entry imported from this source"),
        videos: list[str] = typer.Option([], "--video", help="banked vPDQ video id (repeatable)"),
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Remove entries (by id, hash or source) or vPDQ videos (by id, or with --source)
        from a bank; nothing is removed when one named is not in the bank."""
        from salingjaga.clikit import emit, fail, make_settings, open_db
        from salingjaga.core.errors import APIError
        from salingjaga.detection import bank_store, vpdq_store

        db = open_db(make_settings(database_url))
        try:
            with db.session() as session:
                b = bank_store.bank_by_name(session, bank)
                out: dict[str, object] = {"bank": bank}
                if videos:
                    out["video_ids"] = vpdq_store.remove_videos(session, b, video_ids=videos, source=source,
                                                                actor=ACTOR)
                if ids or hashes or not videos:
                    out["ids"] = bank_store.remove_entries(session, b, ids=ids, hashes=hashes, source=source,
                                                           actor=ACTOR)
        except APIError as exc:
            fail(exc.message)
        finally:
            db.dispose()
        n = len(out.get("ids", [])) + len(out.get("video_ids", []))  # type: ignore[arg-type]
        emit(out, as_json, f"bank {bank}: {n} removed")

    @banks_app.command("import-vpdq")
    def import_vpdq_cmd(
        file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                    help="vPDQ bank file: JSON lines {id, label, signal}"),
        bank: str = typer.Option(..., "--bank", help="bank name (created on first use)"),
        action: str = typer.Option("review", "--action", help="review, or remove (removed media)"),
        policy: str = typer.Option("misinformation", "--policy"),
        source: str = typer.Option("", "--source", help="where the videos come from"),
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Bank the videos of a vPDQ bank file (an id the bank holds is replaced)."""
        from salingjaga.clikit import emit, fail, make_settings, open_db
        from salingjaga.core.errors import APIError
        from salingjaga.detection import bank_store, vpdq_store

        db = open_db(make_settings(database_url))
        try:
            videos = vpdq_store.parse_video_file(file.read_text("utf-8"))
            with db.session() as session:
                b = bank_store.get_or_create_bank(session, bank, policy=policy, action=action)
                out = {"bank": bank, **vpdq_store.import_videos(session, b, videos, source=source, actor=ACTOR)}
        except APIError as exc:
            fail(exc.message)
        finally:
            db.dispose()
        emit(out, as_json, f"bank {bank}: {out['added']} added, {out['replaced']} replaced")

    @banks_app.command("export-vpdq")
    def export_vpdq_cmd(
        bank: str = typer.Option(..., "--bank", help="bank name"),
        out: Path | None = typer.Option(None, "--out", dir_okay=False, help="file to write (default: stdout)"),
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
    ) -> None:
        """Write a bank's vPDQ videos as a vPDQ bank file (JSON lines)."""
        from salingjaga.clikit import fail, make_settings, open_db
        from salingjaga.core.errors import APIError
        from salingjaga.detection import bank_store, vpdq_store

        db = open_db(make_settings(database_url))
        try:
            with db.session() as session:
                text = vpdq_store.export_videos(session, bank_store.bank_by_name(session, bank))
        except APIError as exc:
            fail(exc.message)
        finally:
            db.dispose()
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, "utf-8")
