"""detection: text read from media by OCR, by file hash

Revision ID: detection_0002
Revises: detection_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = "detection_0002"
down_revision = "detection_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detection_ocr_texts",
        sa.Column("media_sha256", sa.String(64), nullable=False),
        sa.Column("engine", sa.String(80), nullable=False),
        sa.Column("frames", salingjaga.core.db.JSONType(), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("media_sha256", name=op.f("pk_detection_ocr_texts")),
    )


def downgrade() -> None:
    op.drop_table("detection_ocr_texts")
