"""vPDQ hashing speed: a 60-second 720p video at 30 frames a second (H.264, x264 preset
``veryfast``, which uses B-frames as published video does), made by the tests' own scene
generator with PyAV, hashed at one frame a second on one core.

    python -m benchmarks.run --only vpdq [--quick]
    python -m benchmarks.vpdq [--seconds 60]

Reported in wall-clock seconds and in CPU seconds (what one unshared core takes).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from tests.detection.helpers import scene_video

from benchmarks._cpu import one_core
from salingjaga.detection.media.vpdq import hash_video

CACHE = Path("var/bench-vpdq")


def make_video(seconds: int) -> bytes:
    """The benchmark video, kept under var/ (encoding it takes longer than hashing)."""
    path = CACHE / f"scenes-{seconds}s-720p.mp4"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(scene_video(3, seconds=seconds, size=(1280, 720), fps=30, scene_seconds=3,
                                     preset="veryfast"))
    return path.read_bytes()


def measure(seconds: int, runs: int = 3) -> dict[str, Any]:
    """Best of ``runs`` on one core."""
    data = make_video(seconds)
    before = one_core()
    wall, cpu, frames = [], [], 0
    try:
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            frames = len(hash_video(data))
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)
    return {"video_seconds": seconds, "frames_hashed": frames, "megabytes": round(len(data) / 1e6, 2),
            "wall_s": round(min(wall), 2), "cpu_s": round(min(cpu), 2)}


def run(ctx: Any) -> list[dict[str, Any]]:
    """Suite entry point: 60 s (15 s with ``--quick``)."""
    seconds = ctx.scale(60, 15)
    r = measure(seconds)
    target = 2.0 * seconds / 60
    return [ctx.figure(f"vPDQ hash of a {seconds}-s 720p video, one core, CPU seconds", r["cpu_s"], "s",
                       "video length", seconds, target=f"<= {target:g} s", meets=r["cpu_s"] <= target),
            ctx.figure(f"vPDQ hash of a {seconds}-s 720p video, one core, wall seconds", r["wall_s"], "s",
                       "video length", seconds)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    for k, v in measure(args.seconds).items():
        print(f"{k:16} {v}")


if __name__ == "__main__":
    main()
