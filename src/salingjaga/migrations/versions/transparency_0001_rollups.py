"""transparency: daily decision rollup and its refresh history

Revision ID: transparency_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = 'transparency_0001'
down_revision = '0001_foundation'
branch_labels = ('transparency',)
depends_on = None


def upgrade() -> None:
    op.create_table('transparency_daily_actions',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('election', sa.String(length=60), nullable=False),
    sa.Column('region', sa.String(length=16), nullable=False),
    sa.Column('policy', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('automated_detection', sa.Boolean(), nullable=False),
    sa.Column('automated_decision', sa.Boolean(), nullable=False),
    sa.Column('decisions', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'election', 'region', 'policy', 'action', 'source', 'automated_detection', 'automated_decision', name=op.f('pk_transparency_daily_actions'))
    )
    op.create_index('ix_transparency_daily_election_day', 'transparency_daily_actions', ['election', 'day'], unique=False)
    op.create_index('ix_transparency_daily_region_day', 'transparency_daily_actions', ['region', 'day'], unique=False)
    op.create_table('transparency_rollup_runs',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('started_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=True),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.Column('days_checked', sa.BigInteger(), nullable=False),
    sa.Column('days_rebuilt', sa.BigInteger(), nullable=False),
    sa.Column('rows_written', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transparency_rollup_runs'))
    )


def downgrade() -> None:
    op.drop_table('transparency_rollup_runs')
    op.drop_index('ix_transparency_daily_region_day', table_name='transparency_daily_actions')
    op.drop_index('ix_transparency_daily_election_day', table_name='transparency_daily_actions')
    op.drop_table('transparency_daily_actions')
