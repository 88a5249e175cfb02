"""Long lists and the homes that count them, on a migrated SQLite file:

    python -m benchmarks.long_lists [--notices 5000] [--repeat 5]

Loads the demo world, then ``--notices`` more notices from Bawaslu Jawa Barat (each a
first-review case) through the notices service (``tests.web.site``, as the paging browser
test does), and times, signed in through the login
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
    from tests.web.site import add_notices, build_demo

    from salingjaga.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="sj-lists-"))
    t0 = time.perf_counter()
    settings = build_demo(folder, scan=False)
    add_notices(settings, args.notices, ("misinformation", "misinformation", "campaign_rules"))
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
