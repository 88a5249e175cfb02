"""stream: handled-message receipts and health probes

Revision ID: 0100_stream
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = '0100_stream'
down_revision = '0001_foundation'
branch_labels = ('stream',)
depends_on = None


def upgrade() -> None:
    op.create_table('stream_receipts',
    sa.Column('message_id', sa.String(length=120), nullable=False),
    sa.Column('handler', sa.String(length=200), nullable=False),
    sa.Column('handled_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_id', 'handler', name=op.f('pk_stream_receipts'))
    )
    op.create_index(op.f('ix_stream_receipts_handled_at'), 'stream_receipts', ['handled_at'], unique=False)
    op.create_table('stream_probes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('sent_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by', sa.String(length=200), nullable=True),
    sa.Column('handled_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream_probes'))
    )


def downgrade() -> None:
    op.drop_table('stream_probes')
    op.drop_index(op.f('ix_stream_receipts_handled_at'), table_name='stream_receipts')
    op.drop_table('stream_receipts')
