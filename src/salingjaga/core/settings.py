"""One settings object, read from environment variables ``SALINGJAGA_*``.

Nothing reads ``os.environ`` elsewhere: the app, CLI and workers are all built from a
``Settings`` instance so that tests and several servers in one process never share state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration; defaults give the embedded single-machine mode."""

    model_config = SettingsConfigDict(env_prefix="SALINGJAGA_", env_file=None, extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/salingjaga.core.db",
        description="SQLAlchemy URL; sqlite file by default, postgresql+psycopg://... in production",
    )
    data_dir: Path = Field(default=Path("var"), description="evidence files, media, backups")
    host: str = "127.0.0.1"
    port: int = 8000
    # Stream transport: "inline" scans in the request after commit (tests, tiny installs),
    # "memory" hands items to an in-process worker thread, "redis" uses Redis Streams.
    stream: str = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Redis Streams (stream="redis"): one stream key, one consumer group shared by workers.
    stream_name: str = "salingjaga:stream"
    stream_group: str = "workers"
    stream_max_attempts: int = 5  # then the entry goes to "<stream_name>:dead" with its error
    stream_claim_idle_ms: int = 60_000  # a pending entry idle this long is reclaimed (XAUTOCLAIM)
    stream_batch: int = 16  # entries per XREADGROUP
    stream_block_ms: int = 1000  # XREADGROUP wait; bounds how fast SIGTERM is noticed
    stream_inprocess_workers: int = 0  # consumer threads inside an API process (0: none)
    stream_receipt_days: float = 2.0  # how long handled-message receipts are kept
    # Outbox messages older than this that are still undelivered are relayed (a failed
    # publish, or a server that died between commit and publish), every relay interval.
    outbox_grace_seconds: float = 30.0
    outbox_relay_seconds: float = 10.0
    # Who may read /metrics besides an API key holding metrics.read: a scraper sending
    # "Authorization: Bearer <metrics_token>" (empty: none), and, when metrics_loopback_open,
    # any direct connection from 127.0.0.1 (off by default: a reverse proxy on the same host
    # that adds no forwarding header would open it to the internet).
    metrics_token: str = Field(default="", repr=False)
    metrics_loopback_open: bool = False
    # Case deadlines in hours (P1): default and during the quiet period / voting day.
    deadline_hours_default: float = 24.0
    deadline_hours_tight: float = 2.0
    lease_seconds: int = 900
    # The order claims take waiting cases in: "priority" (CLAIM_ORDER: source tier,
    # severity, calendar, reach, then deadline and age) or "fifo" (oldest first), the
    # baseline the simulator replays every scenario under.
    queue_order: Literal["priority", "fifo"] = "priority"
    # Under "priority", this share of each moderator's claims (every fourth by default)
    # takes the case longest past its deadline, when one is, instead of the most urgent:
    # with a backlog, the claim order alone would leave user reports waiting as long as
    # notices keep coming; the rest of the claims keep trusted notices first. 0 turns it off.
    queue_overdue_share: float = Field(default=0.25, ge=0.0, le=1.0)
    max_body_bytes: int = 10 * 1024 * 1024
    # Content Credentials (C2PA): a PEM file of the certificates a signer must chain to for
    # its manifest to count as evidence (an automatic "AI-generated" label). Unset: no
    # signer is trusted, and every AI claim in credentials goes to human review instead.
    c2pa_trust_anchors: Path | None = None
    secret_key: str = Field(default="dev-insecure-change-me", repr=False)
    log_json: bool = False
    # Chain audit events in a separate short transaction instead of inside each request
    # (clusters on PostgreSQL: write transactions stop queueing on the chain's lock).
    audit_deferred: bool = False
    rate_limit_per_minute: int = 600
    # How long a request may wait for a database connection or, on SQLite, for its turn to
    # write, before it is answered 503 with Retry-After (background work waits longer).
    request_db_wait_seconds: float = 8.0
    cookie_secure: bool = False
    # The address people reach the site at, for links sent by e-mail (invitations).
    public_url: str = "http://127.0.0.1:8000"
    # Outgoing mail: "file" writes each message as an .eml file under data_dir/outbox
    # (development and tests read them there); "smtp" sends through the server below.
    mail_transport: Literal["file", "smtp"] = "file"
    mail_from: str = "SalingJaga <no-reply@salingjaga.invalid>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_starttls: bool = True
    webhook_timeout_seconds: float = 5.0
    # Webhooks never go to loopback, private, link-local or other internal addresses
    # (outbound.py); list here, comma-separated, the networks (CIDR), addresses or host names
    # a deployment's partners really use inside its own network, e.g. "10.20.0.0/16,hooks.lan".
    webhook_allow_private: str = ""
    # Where the periodic work runs (audit chaining, lease expiry, webhook retries, rollups,
    # the outbox relay): "server" in every API process (the embedded default), or "worker"
    # in the `salingjaga worker` processes only, so API processes do nothing but answer
    # requests (a cluster: the chainer's batches held the API's GIL for milliseconds and
    # doubled the queue claim's p99). Every task is safe to run in several processes at once.
    periodic: Literal["server", "worker"] = "server"
    # Background maintenance in the server (webhook retries, stale case leases): how often, in
    # seconds; 0 turns it off. Not started with the inline stream (tests, scripts).
    maintenance_interval_seconds: float = 30.0
    # How often a server brings the transparency rollups up to date (days touched since the
    # last refresh), so a report after busy hours does not pay for it; 0 turns it off.
    rollup_interval_seconds: float = 120.0
    # How long a server may answer an API key from memory (auth/cache.py): a key revoked on
    # another server keeps working here for at most this long; 0 looks every request up.
    auth_cache_seconds: float = 5.0
    # Content items whose notice tags a server keeps in memory for tag look-ups and reach
    # events (guide/tagcache.py; ~1 KB each); exact across servers, only the hit rate varies.
    tag_cache_items: int = Field(default=100_000, ge=0)
    # The server's garbage collector (gc_tuning.py): allocations between young-generation
    # passes once the app is warm; 0 leaves Python's defaults.
    gc_threshold: int = 20000

    @field_validator("webhook_allow_private")
    @classmethod
    def _allow_list_parses(cls, value: str) -> str:
        """A malformed allow-list fails at start-up, not at the first webhook."""
        from salingjaga.core.outbound import OutboundPolicy

        OutboundPolicy.from_setting(value)
        return value

    @property
    def is_sqlite(self) -> bool:
        """True when the embedded SQLite backend is in use."""
        return self.database_url.startswith("sqlite")

    def ensure_dirs(self) -> None:
        """Create the data directory (and the SQLite file's folder) if missing."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.is_sqlite and ":memory:" not in self.database_url:
            path = self.database_url.split("///", 1)[-1]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
