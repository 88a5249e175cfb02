"""Banked vPDQ videos as a scan matches them: one vPDQ bank (every video's usable frames in
one PDQ index) over all hash banks, each video tagged with its bank. Pure (no database);
``bank_cache`` keeps it in step with the stored videos."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from salingjaga.detection.bank_index import BankInfo
from salingjaga.detection.media.vpdq import VpdqFeature, VpdqMatch
from salingjaga.detection.media.vpdq_bank import VpdqBank


@dataclass(frozen=True)
class VideoMatch:
    """A banked video that a scanned video matches, the vPDQ way (both percentages)."""

    bank: BankInfo
    row_id: int  # the stored video's database id
    video_id: str  # the id it was banked under
    label: str
    match: VpdqMatch


class VideoBanks:
    """Every bank's vPDQ videos. Videos are added and removed without re-indexing."""

    def __init__(self) -> None:
        self.bank = VpdqBank(keep_features=False)
        self._meta: dict[int, tuple[str, str]] = {}  # database id -> (bank id, banked id)
        self.max_id = 0

    def __len__(self) -> int:
        return len(self.bank)

    def add(self, row_id: int, bank_id: str, video_id: str, label: str,
            features: Sequence[VpdqFeature]) -> None:
        """Add a stored video (ids only grow; one already held is skipped)."""
        if row_id <= self.max_id:
            return
        self.bank.add(str(row_id), features, label)
        self._meta[row_id] = (bank_id, video_id)
        self.max_id = row_id

    def remove(self, row_ids: Sequence[int]) -> int:
        """Remove stored videos by database id; returns how many were held."""
        removed = 0
        for r in row_ids:
            if self.bank.remove(str(r)):
                self._meta.pop(r, None)
                removed += 1
        return removed

    def match(self, features: Sequence[VpdqFeature], banks: Mapping[str, BankInfo]) -> list[VideoMatch]:
        """Banked videos the video matches (query share >= 80%, as vPDQ's defaults), best
        first; videos of banks not in ``banks`` are left out."""
        out = []
        for video, m in self.bank.match(features):
            if not m.is_match():
                continue
            row_id = int(video.video_id)
            meta = self._meta.get(row_id)
            if meta is None or meta[0] not in banks:
                continue
            out.append(VideoMatch(banks[meta[0]], row_id, meta[1], video.label, m))
        return out
