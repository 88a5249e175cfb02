"""rules: candidates, campaign accounts, PSA approvals, gate refusals and escalations,
classification proposals, campaign findings, ad reviews

Revision ID: rules_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = 'rules_0001'
down_revision = '0001_foundation'
branch_labels = ('rules',)
depends_on = None


def upgrade() -> None:
    op.create_table('rules_candidates',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('election', sa.String(length=60), nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=True),
    sa.Column('region_key', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('members', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('parties', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules_candidates')),
    sa.UniqueConstraint('election', 'region_key', 'number', name='uq_rules_candidates_number')
    )
    with op.batch_alter_table('rules_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rules_candidates_election'), ['election'], unique=False)

    op.create_table('rules_ad_reviews',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('ad_id', sa.String(length=200), nullable=True),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reasons', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_rules_ad_reviews_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules_ad_reviews'))
    )
    with op.batch_alter_table('rules_ad_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rules_ad_reviews_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rules_ad_reviews_at'), ['at'], unique=False)

    op.create_table('rules_campaign_accounts',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('election', sa.String(length=60), nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=True),
    sa.Column('candidate_id', sa.String(length=40), nullable=False),
    sa.Column('platform', sa.String(length=80), nullable=False),
    sa.Column('platform_account', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('registered_by', sa.String(length=80), nullable=False),
    sa.Column('registered_by_partner', sa.String(length=40), nullable=True),
    sa.Column('closed_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['rules_candidates.id'], name=op.f('fk_rules_campaign_accounts_candidate_id_rules_candidates'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules_campaign_accounts')),
    sa.UniqueConstraint('election', 'platform', 'platform_account', name='uq_rules_campaign_accounts_account')
    )
    with op.batch_alter_table('rules_campaign_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_rules_campaign_accounts_count', ['candidate_id', 'platform'], unique=False)
        batch_op.create_index('ix_rules_campaign_accounts_platform_account', ['platform_account'], unique=False)

    op.create_table('rules_classification_proposals',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('proposed_kind', sa.String(length=30), nullable=False),
    sa.Column('evidence', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_kind', sa.String(length=30), nullable=True),
    sa.Column('decided_by', sa.String(length=80), nullable=True),
    sa.Column('decided_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_rules_classification_proposals_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules_classification_proposals')),
    sa.UniqueConstraint('account_id', 'proposed_kind', name='uq_rules_classification_proposals_account')
    )
    with op.batch_alter_table('rules_classification_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_rules_classification_proposals_status', ['status'], unique=False)

    op.create_table('rules_gate_escalations',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('refusals', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=40), nullable=True),
    sa.Column('at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_rules_gate_escalations_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules_gate_escalations'))
    )
    with op.batch_alter_table('rules_gate_escalations', schema=None) as batch_op:
        batch_op.create_index('ix_rules_gate_escalations_account_at', ['account_id', 'at'], unique=False)

    op.create_table('rules_gate_refusals',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('account_kind', sa.String(length=30), nullable=False),
    sa.Column('feature', sa.String(length=40), nullable=False),
    sa.Column('rule', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('escalates', sa.Boolean(), nullable=False),
    sa.Column('at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_rules_gate_refusals_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules_gate_refusals'))
    )
    with op.batch_alter_table('rules_gate_refusals', schema=None) as batch_op:
        batch_op.create_index('ix_rules_gate_refusals_account_at', ['account_id', 'at'], unique=False)
        batch_op.create_index('ix_rules_gate_refusals_at', ['at'], unique=False)

    op.create_table('rules_psa_approvals',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('approved_by', sa.String(length=80), nullable=False),
    sa.Column('revoked_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_rules_psa_approvals_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules_psa_approvals'))
    )
    with op.batch_alter_table('rules_psa_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rules_psa_approvals_account_id'), ['account_id'], unique=False)

    op.create_table('rules_campaign_findings',
    sa.Column('content_id', sa.String(length=40), nullable=False),
    sa.Column('findings', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=True),
    sa.Column('notify_partner_id', sa.String(length=40), nullable=True),
    sa.Column('case_id', sa.String(length=40), nullable=True),
    sa.Column('at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_rules_campaign_findings_content_id_content_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('content_id', name=op.f('pk_rules_campaign_findings'))
    )
    with op.batch_alter_table('rules_campaign_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rules_campaign_findings_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rules_campaign_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rules_campaign_findings_at'))

    op.drop_table('rules_campaign_findings')
    with op.batch_alter_table('rules_psa_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rules_psa_approvals_account_id'))

    op.drop_table('rules_psa_approvals')
    with op.batch_alter_table('rules_gate_refusals', schema=None) as batch_op:
        batch_op.drop_index('ix_rules_gate_refusals_at')
        batch_op.drop_index('ix_rules_gate_refusals_account_at')

    op.drop_table('rules_gate_refusals')
    with op.batch_alter_table('rules_gate_escalations', schema=None) as batch_op:
        batch_op.drop_index('ix_rules_gate_escalations_account_at')

    op.drop_table('rules_gate_escalations')
    with op.batch_alter_table('rules_classification_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_rules_classification_proposals_status')

    op.drop_table('rules_classification_proposals')
    with op.batch_alter_table('rules_campaign_accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_rules_campaign_accounts_platform_account')
        batch_op.drop_index('ix_rules_campaign_accounts_count')

    op.drop_table('rules_campaign_accounts')
    with op.batch_alter_table('rules_ad_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rules_ad_reviews_at'))
        batch_op.drop_index(batch_op.f('ix_rules_ad_reviews_account_id'))

    op.drop_table('rules_ad_reviews')
    with op.batch_alter_table('rules_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rules_candidates_election'))

    op.drop_table('rules_candidates')
