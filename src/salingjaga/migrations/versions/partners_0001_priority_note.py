"""notices: why a trusted flagger's notice is handled at normal priority

Revision ID: partners_0001
Revises: 0001_foundation
Create Date: 2026-12-03

Trusted-flagger priority holds within a partner's policy areas and its jurisdiction. A
notice outside either is still taken, at a partner's priority, and ``notices.priority_note``
keeps the reason so the notifier can read it on the receipt and the notice. After the
moderation migration that created ``notices``.

The first script of the ``notices`` branch. It was written as the ``partners`` branch when
notices lived in the partners package; it touches only ``notices``, so the branch is the
notices domain's now. Only the label moved: the revision id stays ``partners_0001``, which
databases already upgraded have recorded in ``alembic_version``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "partners_0001"
down_revision = "0001_foundation"
branch_labels = ("notices",)
depends_on = ("0200_moderation",)


# Plain ALTER TABLE on both backends (SQLite adds and drops a column in place): a batch
# rebuild of ``notices`` would drop the transparency triggers on it.
def upgrade() -> None:
    op.add_column("notices", sa.Column("priority_note", sa.String(length=400), nullable=True))


def downgrade() -> None:
    op.drop_column("notices", "priority_note")
