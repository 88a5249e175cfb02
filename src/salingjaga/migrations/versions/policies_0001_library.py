"""policies: the policy library's versions

Revision ID: policies_0001_library
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = "policies_0001_library"
down_revision = "0001_foundation"
branch_labels = ("policies",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_library_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("policy", sa.String(length=60), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sections", salingjaga.core.db.JSONType(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.String(length=40), nullable=False),
        sa.Column("approver_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_policy_library_versions_author_id_users"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["approver_id"], ["users.id"],
                                name=op.f("fk_policy_library_versions_approver_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_library_versions")),
    )
    with op.batch_alter_table("policy_library_versions", schema=None) as batch_op:
        batch_op.create_index("ix_policy_library_versions_page", ["policy", "language", "status"], unique=False)


def downgrade() -> None:
    op.drop_table("policy_library_versions")
