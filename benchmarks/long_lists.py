"""Long lists and the homes that count them, on a migrated SQLite file:

    python -m benchmarks.long_lists [--notices 5000] [--repeat 5]

Loads the demo world, then ``--notices`` more notices from Bawaslu Jawa Barat (each a
first-review case) through the notices service, and times, signed in through the login
form, the median of ``--repeat`` requests of: the partner's home, the portal's first and
last pages, the moderator's home, the first-review queue's first and last pages and the
queue filtered by policy and deadline. Before paging, these pages listed at most 200 rows
and counted the queue in Python; now every figure is an SQL count and a page is taken by
offset, so the last page costs about what the first does.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select


def build(folder: Path, n: int) -> Any:
    """Settings over a migrated SQLite file with the demo and ``n`` more notices."""
    from salingjaga.auth.models import User
    from salingjaga.auth.service import principal_for_user
    from salingjaga.content.schemas import ContentIn
    from salingjaga.content.service import ingest_content
    from salingjaga.core.db import Database
    from salingjaga.core.settings import Settings
    from salingjaga.demo.load import load_demo
    from salingjaga.migrate import upgrade
    from salingjaga.notices.schemas import NoticeIn
    from salingjaga.notices.service import NoticeJob, submit_notices

    settings = Settings(database_url=f"sqlite:///{folder / 'bench.db'}", data_dir=folder / "data",
                        stream="inline", rate_limit_per_minute=10_000_000)
    upgrade(settings)
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            load_demo(session, settings)
        for start in range(0, n, 500):
            with db.session() as session:
                agus = session.scalars(select(User).where(User.email == "agus@jabar.bawaslu.demo")).one()
                who = principal_for_user(agus)
                jobs = []
                for i in range(start, min(n, start + 500)):
                    item, _ = ingest_content(session, ContentIn(
                        platform_id=f"bench-{i}", kind="text", account_id="acc-1002", region="32.73",
                        election="pemilu-2024", caption=f"Unggahan {i}: TPS dipindah"), settings.data_dir)
                    jobs.append(NoticeJob(NoticeIn(
                        content=[{"content_id": item.id}], policy="misinformation" if i % 3 else "campaign_rules",
                        region="32", election="pemilu-2024", explanation=f"laporan {i}",
                        contact="agus@jabar.bawaslu.demo", good_faith=True), who, f"bench-{i}"))
                submit_notices(session, jobs, settings)
    finally:
        db.dispose()
    return settings


def timed(client: Any, path: str, repeat: int) -> float:
    """Median milliseconds of ``repeat`` GETs of ``path`` (each must answer 200)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notices", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from fastapi.testclient import TestClient
    from tests.web.helpers import sign_in

    from salingjaga.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="sj-lists-"))
    t0 = time.perf_counter()
    settings = build(folder, args.notices)
    print(f"loaded the demo and {args.notices:,} notices in {time.perf_counter() - t0:.1f} s")
    last = -(-(args.notices + 3) // 200)
    for email, paths in [
        ("rina@bawaslu.demo", ["/", "/portal", f"/portal?page={last}", "/portal?status=received&page=2"]),
        ("dewi@demo.salingjaga.id", ["/", "/console", f"/console?page={last}",
                                     "/console?policy=campaign_rules&due=24h&page=2"]),
    ]:
        with TestClient(create_app(settings)) as client:
            sign_in(client, email)
            for path in paths:
                print(f"{email:<26} {path:<48} {timed(client, path, args.repeat):8.1f} ms")


if __name__ == "__main__":
    main()
