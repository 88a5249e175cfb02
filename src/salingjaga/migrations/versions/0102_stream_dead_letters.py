"""stream: dead letters kept in the database (in-process transports, failed steps)

Revision ID: 0102_stream_dead_letters
Revises: 0101_stream_outbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = '0102_stream_dead_letters'
down_revision = '0101_stream_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stream_dead_letters',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('payload', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('handler', sa.String(length=200), nullable=False),
    sa.Column('step', sa.String(length=120), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream_dead_letters'))
    )
    op.create_index(op.f('ix_stream_dead_letters_created_at'), 'stream_dead_letters', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_stream_dead_letters_created_at'), table_name='stream_dead_letters')
    op.drop_table('stream_dead_letters')
