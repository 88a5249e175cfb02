"""The OCR cache in the database: text read from a media file, by the file's SHA-256,
shared by every worker (an in-process cache in front keeps hot files off the table)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from salingjaga.core.timeutil import utcnow
from salingjaga.detection.media.ocr import engine_name
from salingjaga.detection.media.screen_text import FrameText, MemoryOcrCache
from salingjaga.detection.models import OcrText

# Shared by the sessions of one process: what any of them read is known to the others.
MEMORY = MemoryOcrCache()


class DatabaseOcrCache:
    """``OcrCache`` over the ``detection_ocr_texts`` table of one session; a row written by
    another engine version is read again (a newer engine reads better)."""

    def __init__(self, session: Session, memory: MemoryOcrCache = MEMORY) -> None:
        self.session = session
        self.memory = memory

    def get(self, key: str) -> list[FrameText] | None:
        """The text read from the file with this hash before, if any."""
        found = self.memory.get(key)
        if found is not None:
            return found
        row = self.session.execute(select(OcrText.frames, OcrText.engine)
                                   .where(OcrText.media_sha256 == key)).first()
        if row is None or row[1] != engine_name():
            return None
        frames = [FrameText(None if s is None else float(s), str(t)) for s, t in row[0]]
        self.memory.put(key, frames)
        return frames

    def put(self, key: str, frames: list[FrameText]) -> None:
        """Keep the text read (the first writer of a file wins; an outdated engine's row is
        replaced)."""
        self.memory.put(key, frames)
        values = {"media_sha256": key, "engine": engine_name(),
                  "frames": [f.as_list() for f in frames], "created_at": utcnow()}
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        self.session.execute(insert(OcrText).values(**values).on_conflict_do_update(
            index_elements=["media_sha256"], set_={"engine": values["engine"], "frames": values["frames"],
                                                   "created_at": values["created_at"]},
            where=OcrText.engine != values["engine"]))
