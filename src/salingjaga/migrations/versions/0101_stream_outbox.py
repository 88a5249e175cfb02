"""stream: the transactional outbox

Revision ID: 0101_stream_outbox
Revises: 0100_stream
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = '0101_stream_outbox'
down_revision = '0100_stream'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stream_outbox',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('payload', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream_outbox'))
    )
    op.create_index(op.f('ix_stream_outbox_created_at'), 'stream_outbox', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_stream_outbox_created_at'), table_name='stream_outbox')
    op.drop_table('stream_outbox')
