"""Demo data for detection: a hash bank of "removed" media, so a newcomer can post the
matching image and watch the automatic removal with its statement of reasons."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from salingjaga.core.settings import Settings


def demo_image_bytes() -> bytes:
    """A generated poster-like image (gradient and blocks) whose hash the demo bank holds."""
    import io

    import numpy as np
    from PIL import Image, ImageDraw

    x = np.linspace(0, 255, 320, dtype=np.float64)[None, :]
    y = np.linspace(0, 255, 240, dtype=np.float64)[:, None]
    base = np.stack([x + 0 * y, y + 0 * x, 255 - x + 0 * y], axis=2).astype(np.uint8)
    img = Image.fromarray(base)
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 40, 160, 120), fill=(200, 20, 20))
    draw.ellipse((180, 100, 300, 220), fill=(20, 20, 200))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def load(session: Session, settings: Settings, ctx: dict[str, Any]) -> None:
    """Create the demo bank (idempotent: entries already present are skipped)."""
    from salingjaga.detection.bank_store import get_or_create_bank, import_bank_entries
    from salingjaga.detection.media.pdq import pdq_from_bytes

    bank = get_or_create_bank(session, "demo-removed-hoaxes", policy="civic_election_integrity",
                              action="remove", description="Demo: media already removed as a hoax")
    hash_hex, _ = pdq_from_bytes(demo_image_bytes())
    import_bank_entries(session, bank, [("pdq", hash_hex, "demo: doctored ballot photo")])
