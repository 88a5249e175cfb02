"""moderation: second review of high-reach and GPPPA restrictions

Revision ID: 0201_second_review
Revises: 0200_moderation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0201_second_review"
down_revision = "0200_moderation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_of_decision_id", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_review_of_decision_id"), ["review_of_decision_id"],
                              unique=False)
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("second_review", sa.String(length=12), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        # "second_review" is longer than the first kinds; SQLite does not enforce lengths.
        op.alter_column("cases", "kind", existing_type=sa.String(length=10), type_=sa.String(length=20),
                        existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("cases", "kind", existing_type=sa.String(length=20), type_=sa.String(length=10),
                        existing_nullable=False)
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("second_review")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_review_of_decision_id"))
        batch_op.drop_column("review_of_decision_id")
