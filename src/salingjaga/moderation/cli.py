"""``salingjaga queue stats`` and ``salingjaga moderation deliver-webhooks``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the moderation commands."""
    queue_app = typer.Typer(help="The review queue.", no_args_is_help=True)
    mod_app = typer.Typer(help="Moderation maintenance.", no_args_is_help=True)
    app.add_typer(queue_app, name="queue")
    app.add_typer(mod_app, name="moderation")

    @queue_app.command("stats")
    def stats_cmd(
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Waiting cases by status and level, and how many are past their deadline."""
        from salingjaga.clikit import emit, make_settings, open_db
        from salingjaga.moderation.queue import queue_stats

        db = open_db(make_settings(database_url))
        with db.session() as session:
            data = queue_stats(session)
        db.dispose()
        emit(data, as_json, f"waiting: {data['waiting']}  overdue: {data['overdue']}  "
                            f"by status: {data['by_status']}")

    @mod_app.command("deliver-webhooks")
    def deliver_cmd(
        database_url: str | None = typer.Option(None, "--database-url", help="overrides SALINGJAGA_DATABASE_URL"),
        limit: int = typer.Option(500, help="most deliveries to attempt"),
        as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
    ) -> None:
        """Send due webhook deliveries (run from cron; failures are retried with backoff)."""
        from salingjaga.clikit import emit, make_settings, open_db
        from salingjaga.moderation.webhooks import deliver_due

        settings = make_settings(database_url)
        db = open_db(settings)
        counts = deliver_due(db, settings, limit=limit)
        db.dispose()
        emit(counts, as_json, ", ".join(f"{k}: {v}" for k, v in counts.items()))
