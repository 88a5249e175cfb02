"""Commands: ``salingjaga worker``, ``salingjaga stream ...`` and ``salingjaga cluster ...``."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any, cast

import typer
from rich.console import Console
from rich.table import Table

from salingjaga.clikit import fail

console = Console(stderr=True)
stream_app = typer.Typer(help="The content stream: state, probes, dead letters.", no_args_is_help=True)
cluster_app = typer.Typer(help="A local production-shaped cluster on 127.0.0.1 (development, benchmarks).",
                          no_args_is_help=True)


def _settings(**overrides: Any) -> Any:
    from salingjaga.clikit import make_settings

    return make_settings(**overrides)


def worker(
    concurrency: int = typer.Option(1, "--concurrency", min=1,
                                    help="consumer threads in this process (CPU-bound scanning: run "
                                         "one process per core instead)"),
    consumer: str | None = typer.Option(None, "--consumer", help="consumer name (default host-pid)"),
    metrics_port: int | None = typer.Option(None, "--metrics-port",
                                            help="serve Prometheus metrics on 127.0.0.1:PORT"),
) -> None:
    """Consume the Redis stream until SIGTERM/SIGINT (then finish the current message)."""
    from salingjaga.clikit import open_db
    from salingjaga.core.logging_setup import configure_logging
    from salingjaga.core.periodic import start_domain_tasks
    from salingjaga.stream.base import make_transport
    from salingjaga.stream.worker import Worker, default_consumer_name

    settings = _settings()
    configure_logging(settings)
    if settings.stream != "redis":
        console.print("[red]error:[/red] workers consume Redis Streams: set SALINGJAGA_STREAM=redis "
                      "(the embedded mode runs its worker inside `salingjaga serve`)")
        raise typer.Exit(2)
    db = open_db(settings)
    base = consumer or default_consumer_name()
    names = [base] if concurrency == 1 else [f"{base}-{i}" for i in range(concurrency)]
    workers = [Worker(db, settings, consumer=name) for name in names]
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr="127.0.0.1")

    def on_signal(signum: int, _frame: Any) -> None:
        for w in workers:
            w.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = [threading.Thread(target=w.run, name=w.consumer) for w in workers]
    for t in threads:
        t.start()
    # With SALINGJAGA_PERIODIC=worker the periodic work (audit chaining, lease expiry,
    # webhook retries, rollups, outbox relay) runs here instead of in the API processes.
    transport = make_transport(db, settings)
    stop_periodic = start_domain_tasks(db, transport, settings, "worker")
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=0.5)
    stop_periodic()
    transport.stop()
    db.dispose()


def _redis_settings() -> Any:
    settings = _settings()
    if settings.stream != "redis":
        console.print("[yellow]note:[/yellow] SALINGJAGA_STREAM is not 'redis'; reading "
                      f"{settings.redis_url} anyway")
    return settings


@stream_app.command("stats")
def stats(as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts")) -> None:
    """Length, lag, pending, dead letters and consumers of the stream."""
    from salingjaga.stream.redis_client import connect, stream_stats

    settings = _redis_settings()
    client = connect(settings)
    data = stream_stats(client, settings)
    client.close()
    if as_json:
        typer.echo(json.dumps(data))
        return
    table = Table(title=f"{data['stream']} / group {data['group']}")
    for col in ("length", "lag", "pending", "dead_letters", "oldest_waiting_age_seconds"):
        table.add_column(col, justify="right")
    table.add_row(*(str(data[c]) for c in ("length", "lag", "pending", "dead_letters",
                                           "oldest_waiting_age_seconds")))
    Console().print(table)
    for c in data["consumers"]:
        typer.echo(f"consumer {c['name']}: pending {c['pending']}, idle {c['idle_ms']} ms")


@stream_app.command("probe")
def probe(
    count: int = typer.Option(1, "--count", min=1, help="how many probes to send"),
    timeout: float = typer.Option(30.0, "--timeout", help="seconds to wait for the workers"),
    fail: bool = typer.Option(False, "--fail", help="send probes that fail (tests dead-lettering)"),
    work_ms: float = typer.Option(0.0, "--work-ms", help="simulated work per probe, for capacity tests"),
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Send probes through the configured stream and wait until workers handle them."""
    from sqlalchemy import func, select

    from salingjaga.clikit import open_db
    from salingjaga.core.ids import new_id
    from salingjaga.stream.base import make_transport
    from salingjaga.stream.models import StreamProbe

    settings = _settings()
    db = open_db(settings)
    transport = make_transport(db, settings)
    transport.start()
    ids = [new_id("prb") for _ in range(count)]
    with db.session() as session:
        session.add_all(StreamProbe(id=i, handled_count=0) for i in ids)
    started = time.monotonic()
    for i in ids:
        extra: dict[str, Any] = {"work_ms": work_ms} if work_ms else {}
        if fail:
            extra["fail"] = "requested by --fail"
        transport.publish("probe", {"probe_id": i, **extra})
    handled = 0
    while time.monotonic() - started < timeout:
        with db.session() as session:
            handled = int(session.scalar(select(func.count()).select_from(StreamProbe).where(
                StreamProbe.id.in_(ids), StreamProbe.handled_count > 0)) or 0)
        if handled == count or fail:
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    transport.stop()
    db.dispose()
    out = {"sent": count, "handled": handled, "seconds": round(elapsed, 3), "probe_ids": ids}
    if as_json:
        typer.echo(json.dumps(out))
    else:
        typer.echo(f"{handled}/{count} probes handled in {elapsed:.2f}s")
    if handled < count and not fail:
        raise typer.Exit(1)


@stream_app.command("dead")
def dead(limit: int = typer.Option(20, "--limit", help="how many, newest first"),
         as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts")) -> None:
    """The newest dead letters: the entry, its error and how often it was tried.

    Those kept in the database (failed steps, and failed handlers of the in-process
    transports) come first; with SALINGJAGA_STREAM=redis, Redis's dead-letter stream follows.
    """
    from salingjaga.clikit import open_db
    from salingjaga.stream.deadletters import dead_letter_out, list_dead_letters

    settings = _settings()
    db = open_db(settings)
    try:
        with db.session() as session:
            items: list[dict[str, Any]] = [{"dead_id": d["id"], "source": "database", "attempts": "1", **d}
                                           for d in map(dead_letter_out, list_dead_letters(session, limit))]
    finally:
        db.dispose()
    if settings.stream == "redis":
        from salingjaga.stream.redis_client import Keys, connect

        client = connect(settings)
        rows: Any = client.xrevrange(Keys(settings).dead, count=limit)
        client.close()
        items.extend({"dead_id": i, "source": "redis", **fields} for i, fields in rows)
    if as_json:
        typer.echo(json.dumps(items, default=str))
        return
    for item in items:
        step = f" [{item['step']}]" if item.get("step") else ""
        typer.echo(f"{item['dead_id']} {item.get('topic')}{step} x{item.get('attempts')}: {item.get('error')}")


@stream_app.command("replay")
def replay(
    dead_id: list[str] = typer.Argument(None, help="dead-letter ids (default: all)"),
) -> None:
    """Send dead letters again (after fixing their cause) and remove them."""
    from salingjaga.clikit import open_db
    from salingjaga.stream.base import make_transport
    from salingjaga.stream.deadletters import take_dead_letters

    settings = _settings()
    db = open_db(settings)
    transport = make_transport(db, settings)
    transport.start()
    count = 0
    try:
        wanted = [i for i in dead_id or [] if not i[:1].isdigit()]  # Redis ids start with a digit
        if not dead_id or wanted:
            with db.session() as session:
                letters = [(d.topic, dict(d.payload)) for d in take_dead_letters(session, wanted or None)]
            for topic, payload in letters:
                transport.publish(topic, payload)
            count += len(letters)
        if settings.stream == "redis":
            from salingjaga.stream.redis_client import Keys, connect

            keys = Keys(settings)
            client = connect(settings)
            ids = [i for i in dead_id or [] if i[:1].isdigit()]
            rows: Any = (client.xrange(keys.dead) if not dead_id else
                         [r for i in ids for r in cast(Any, client.xrange(keys.dead, min=i, max=i))])
            for entry_id, fields in rows:
                pipe = client.pipeline(transaction=True)
                pipe.xadd(keys.stream, {"topic": fields.get("topic", ""), "payload": fields.get("payload", "")})
                pipe.xdel(keys.dead, entry_id)
                pipe.execute()
            client.close()
            count += len(rows)
    finally:
        transport.stop()
        db.dispose()
    typer.echo(f"replayed {count} entries")


# -- cluster ------------------------------------------------------------------------------
@cluster_app.command("up")
def cluster_up(
    directory: Path = typer.Option(Path("var/cluster"), "--dir", help="state, data and logs"),
    apis: int = typer.Option(2, "--apis", min=1, help="API processes"),
    workers: int = typer.Option(2, "--workers", min=0, help="stream workers"),
    api_port: int = typer.Option(8001, "--api-port", help="first API port; the others follow"),
    pg_port: int = typer.Option(55432, "--pg-port", help="PostgreSQL port on 127.0.0.1"),
    redis_port: int = typer.Option(56379, "--redis-port", help="Redis port on 127.0.0.1"),
    demo: bool = typer.Option(False, "--demo", help="load demo data"),
) -> None:
    """Start PostgreSQL, Redis, API processes and workers on 127.0.0.1 (stopped by `down`)."""
    import shutil

    from salingjaga.dev.servers import pg_bin
    from salingjaga.stream.cluster import Cluster

    # Both binaries before starting anything, rather than a PostgreSQL started and stopped again.
    missing = [package for package, found in (("postgresql", pg_bin("initdb") and pg_bin("postgres")),
                                              ("redis-server", shutil.which("redis-server"))) if not found]
    if missing:
        fail(f"the cluster needs {' and '.join(missing)}, not found on this machine "
             f"(apt-get install {' '.join(missing)})")
    cluster = Cluster(directory)
    if cluster.running():
        console.print(f"cluster in {directory} is already running; `salingjaga cluster down` first")
        raise typer.Exit(1)
    state = cluster.up(apis=apis, workers=workers, api_port=api_port, pg_port=pg_port,
                       redis_port=redis_port, demo=demo, progress=console.print)
    typer.echo(json.dumps(state, indent=2))


@cluster_app.command("down")
def cluster_down(
    directory: Path = typer.Option(Path("var/cluster"), "--dir", help="state, data and logs"),
    purge: bool = typer.Option(False, "--purge", help="also delete the data"),
) -> None:
    """Stop every process of the cluster by PID (workers and APIs first, databases last)."""
    from salingjaga.stream.cluster import Cluster

    Cluster(directory).down(purge=purge, progress=console.print)


@cluster_app.command("status")
def cluster_status(
    directory: Path = typer.Option(Path("var/cluster"), "--dir", help="state, data and logs"),
    as_json: bool = typer.Option(False, "--json", help="answer in JSON, for scripts"),
) -> None:
    """Which processes of the cluster are alive, and whether the APIs answer."""
    from salingjaga.stream.cluster import Cluster

    status = Cluster(directory).status()
    if as_json:
        typer.echo(json.dumps(status))
    else:
        for p in status["processes"]:
            typer.echo(f"{p['name']:<10} pid {p['pid']:<8} {'up' if p['alive'] else 'DOWN'}"
                       f"{'  ' + p['url'] if p.get('url') else ''}")
    if not status["processes"] or not all(p["alive"] for p in status["processes"]):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the stream's commands to the ``salingjaga`` command line."""
    app.command("worker")(worker)
    app.add_typer(stream_app, name="stream")
    app.add_typer(cluster_app, name="cluster")

