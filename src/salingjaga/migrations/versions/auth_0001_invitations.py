"""auth: invitations, TOTP second factors and recovery codes

Revision ID: auth_0001_invitations
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = "auth_0001_invitations"
down_revision = "0001_foundation"
branch_labels = ("auth",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_invitations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=40), nullable=True),
        sa.Column("user_id", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("totp_secret", sa.String(length=400), nullable=True),
        sa.Column("invited_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_auth_invitations_partner_id_partners"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_auth_invitations_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_invitations_token_hash")),
    )
    with op.batch_alter_table("auth_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_invitations_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_auth_invitations_partner_id"), ["partner_id"], unique=False)
    op.create_table(
        "auth_second_factors",
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("secret", sa.String(length=400), nullable=False),
        sa.Column("enrolled_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_auth_second_factors_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_auth_second_factors")),
    )
    op.create_table(
        "auth_recovery_codes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_auth_recovery_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_auth_recovery_codes_code_hash")),
    )
    with op.batch_alter_table("auth_recovery_codes", schema=None) as batch_op:
        batch_op.create_index("ix_auth_recovery_codes_user", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auth_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_recovery_codes_user")
    op.drop_table("auth_recovery_codes")
    op.drop_table("auth_second_factors")
    with op.batch_alter_table("auth_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_invitations_partner_id"))
        batch_op.drop_index(batch_op.f("ix_auth_invitations_email"))
    op.drop_table("auth_invitations")
