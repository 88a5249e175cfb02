"""A bank of vPDQ video hashes: every banked video's usable frames in one PDQ index, so a
query video is compared only with the videos sharing a near frame (found exactly), and
the two-way percentages are computed from those frame pairs.

Bank files are JSON lines, one video a line: ``{"id": ..., "label": ..., "signal": ...}``
with ``signal`` the ThreatExchange vPDQ signal string; a single video can also come as a
vPDQ hasher file (``frame,quality,hex,seconds`` lines).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from salingjaga.detection.media.index import PDQIndex
from salingjaga.detection.media.vpdq import (
    DISTANCE_TOLERANCE,
    QUALITY_TOLERANCE,
    VpdqFeature,
    VpdqMatch,
    frame_rows,
    from_signal,
    to_signal,
    usable,
)


@dataclass(frozen=True)
class BankedVideo:
    """One banked video hash."""

    video_id: str
    label: str
    features: tuple[VpdqFeature, ...]


class VpdqBank:
    """Banked videos, matched the way vPDQ defines it; videos can be added and removed
    without re-indexing the others."""

    def __init__(self, quality_tolerance: int = QUALITY_TOLERANCE,
                 distance_tolerance: int = DISTANCE_TOLERANCE, keep_features: bool = True) -> None:
        """``keep_features`` False keeps only the index rows of each video (a server's
        bank, exported from the database instead)."""
        self.keep_features = keep_features
        self.quality_tolerance = quality_tolerance
        self.distance_tolerance = distance_tolerance
        self.videos: dict[str, BankedVideo] = {}
        self._index = PDQIndex()
        self._row_video: list[str] = []  # index row -> video id
        self._rows: dict[str, np.ndarray] = {}  # video id -> its index rows
        self._usable: dict[str, int] = {}  # video id -> distinct usable frames

    def __len__(self) -> int:
        return len(self.videos)

    def add(self, video_id: str, features: Sequence[VpdqFeature], label: str = "") -> None:
        """Bank a video (replacing one with the same id)."""
        if video_id in self.videos:
            self.remove(video_id)
        frames = usable(features, self.quality_tolerance)
        rows = self._index.add(frame_rows(frames))
        self._row_video.extend([video_id] * len(rows))
        self.videos[video_id] = BankedVideo(video_id, label, tuple(features) if self.keep_features else ())
        self._rows[video_id] = rows
        self._usable[video_id] = len(frames)

    def remove(self, video_id: str) -> bool:
        """Unbank a video; False when it was not banked."""
        if video_id not in self.videos:
            return False
        self._index.remove(self._rows.pop(video_id).tolist())
        del self.videos[video_id], self._usable[video_id]
        return True

    def match(self, query: Sequence[VpdqFeature]) -> list[tuple[BankedVideo, VpdqMatch]]:
        """Every banked video sharing a near frame with the query, with both percentages,
        best first (match or not: callers apply ``VpdqMatch.is_match``)."""
        frames = usable(query, self.quality_tolerance)
        if not frames or not self.videos:
            return []
        qi, rows, _ = self._index.search(frame_rows(frames), self.distance_tolerance)
        query_hits: dict[str, set[int]] = {}
        bank_hits: dict[str, set[int]] = {}
        for q, r in zip(qi.tolist(), rows.tolist(), strict=True):
            vid = self._row_video[r]
            query_hits.setdefault(vid, set()).add(q)
            bank_hits.setdefault(vid, set()).add(r)
        out = [(self.videos[vid], VpdqMatch(100.0 * len(hits) / len(frames),
                                            100.0 * len(bank_hits[vid]) / self._usable[vid]))
               for vid, hits in query_hits.items()]
        out.sort(key=lambda x: (-x[1].query_percent, -x[1].compared_percent, x[0].video_id))
        return out

    # ------------------------------------------------------------------ files
    def export_jsonl(self) -> str:
        """The bank as JSON lines (id, label, ThreatExchange signal string)."""
        return "".join(jsonl_line(v.video_id, v.label, to_signal(v.features)) for v in self.videos.values())

    def import_jsonl(self, text: str) -> int:
        """Add every video of a bank file; ValueError naming the line of a bad one (nothing
        from the file is added then). Returns how many videos were read."""
        parsed = parse_jsonl(text)
        for video_id, label, features in parsed:
            self.add(video_id, features, label)
        return len(parsed)


def parse_jsonl(text: str) -> list[tuple[str, str, list[VpdqFeature]]]:
    """(id, label, features) of every video of a bank file; ValueError naming the line of
    a bad one."""
    parsed: list[tuple[str, str, list[VpdqFeature]]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not str(record.get("id") or "").strip():
                raise ValueError("each line is an object with an id")
            parsed.append((str(record["id"]).strip(), str(record.get("label") or ""),
                           from_signal(str(record.get("signal") or "[]"))))
        except ValueError as exc:
            raise ValueError(f"line {n}: {exc}") from exc
    return parsed


def jsonl_line(video_id: str, label: str, signal: str) -> str:
    """One bank file line."""
    return json.dumps({"id": video_id, "label": label, "signal": signal}) + "\n"
