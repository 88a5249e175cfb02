"""moderation: notices, cases, decisions, statements of reasons, appeals, notifications, webhooks

Revision ID: 0200_moderation
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = '0200_moderation'
down_revision = '0001_foundation'
branch_labels = ('moderation',)
depends_on = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('recipient_type', sa.String(length=10), nullable=False),
    sa.Column('recipient_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('decision_id', sa.String(length=40), nullable=True),
    sa.Column('notice_id', sa.String(length=40), nullable=True),
    sa.Column('payload', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index('ix_notifications_recipient', ['recipient_type', 'recipient_id', 'created_at'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('partner_id', sa.String(length=40), nullable=False),
    sa.Column('notification_id', sa.String(length=40), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_webhook_deliveries_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('ix_webhook_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('content_id', sa.String(length=40), nullable=False),
    sa.Column('open_content_id', sa.String(length=40), nullable=True),
    sa.Column('account_id', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('deadline', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('policy', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('sources', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('reasons', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('signal_refs', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('notify_partner_ids', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('tight', sa.Boolean(), nullable=False),
    sa.Column('lease_owner', sa.String(length=40), nullable=True),
    sa.Column('lease_expires_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hold_reason', sa.String(length=500), nullable=True),
    sa.Column('escalation_note', sa.String(length=2000), nullable=True),
    sa.Column('appeal_id', sa.String(length=40), nullable=True),
    sa.Column('excluded_user_id', sa.String(length=40), nullable=True),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_cases_content_id_content_items'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('open_content_id', name=op.f('uq_cases_open_content_id'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_cases_claimable', ['status', 'level', 'priority', 'created_at'], unique=False)
        batch_op.create_index('ix_cases_content', ['content_id'], unique=False)
        batch_op.create_index('ix_cases_lease', ['lease_expires_at'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('case_id', sa.String(length=40), nullable=True),
    sa.Column('content_id', sa.String(length=40), nullable=True),
    sa.Column('account_id', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('policy', sa.String(length=60), nullable=False),
    sa.Column('legal_ground', sa.String(length=500), nullable=True),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=40), nullable=True),
    sa.Column('automated_detection', sa.Boolean(), nullable=False),
    sa.Column('automated_decision', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=True),
    sa.Column('details', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('previous_state', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('statement_id', sa.String(length=40), nullable=True),
    sa.Column('reverses_id', sa.String(length=40), nullable=True),
    sa.Column('appeal_id', sa.String(length=40), nullable=True),
    sa.Column('reversed_by_id', sa.String(length=40), nullable=True),
    sa.Column('decided_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_decisions_case_id_cases'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index('ix_decisions_account', ['account_id'], unique=False)
        batch_op.create_index('ix_decisions_action', ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_decisions_content', ['content_id'], unique=False)
        batch_op.create_index('ix_decisions_decided_at', ['decided_at'], unique=False)
        batch_op.create_index('ix_decisions_policy', ['policy'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('partner_id', sa.String(length=40), nullable=True),
    sa.Column('reporter_user_id', sa.String(length=40), nullable=False),
    sa.Column('submitter', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('content_refs', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('content_ids', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('content_id', sa.String(length=40), nullable=False),
    sa.Column('policy', sa.String(length=60), nullable=False),
    sa.Column('legal_ground', sa.String(length=500), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('region', sa.String(length=16), nullable=True),
    sa.Column('election', sa.String(length=60), nullable=True),
    sa.Column('contact', sa.String(length=320), nullable=True),
    sa.Column('good_faith', sa.Boolean(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('received_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('case_id', sa.String(length=40), nullable=True),
    sa.Column('decided_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_id', sa.String(length=40), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notices_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['content_id'], ['content_items.id'], name=op.f('fk_notices_content_id_content_items'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_notices_partner_id_partners'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reporter_user_id'], ['users.id'], name=op.f('fk_notices_reporter_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('submitter', 'idempotency_key', name='uq_notices_submitter_key')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_content_id'), ['content_id'], unique=False)
        batch_op.create_index('ix_notices_partner_received', ['partner_id', 'received_at'], unique=False)
        batch_op.create_index('ix_notices_policy', ['policy'], unique=False)
        batch_op.create_index('ix_notices_received_at', ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_reporter_user_id'), ['reporter_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_status'), ['status'], unique=False)

    op.create_table('appeals',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('decision_id', sa.String(length=40), nullable=False),
    sa.Column('case_id', sa.String(length=40), nullable=True),
    sa.Column('appellant', sa.String(length=10), nullable=False),
    sa.Column('appellant_partner_id', sa.String(length=40), nullable=True),
    sa.Column('appellant_user_id', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('outcome_decision_id', sa.String(length=40), nullable=True),
    sa.Column('decided_by', sa.String(length=40), nullable=True),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_appeals_decision_id_decisions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeals_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_appeals_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_decision_id'), ['decision_id'], unique=False)

    op.create_table('notice_cases',
    sa.Column('notice_id', sa.String(length=40), nullable=False),
    sa.Column('case_id', sa.String(length=40), nullable=False),
    sa.Column('content_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notice_cases_case_id_cases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_cases_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_id', 'case_id', name=op.f('pk_notice_cases'))
    )
    op.create_table('notice_evidence',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('notice_id', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_evidence_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_evidence'))
    )
    with op.batch_alter_table('notice_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_evidence_notice_id'), ['notice_id'], unique=False)

    op.create_table('statements',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('decision_id', sa.String(length=40), nullable=False),
    sa.Column('data', salingjaga.core.db.JSONType(), nullable=False),
    sa.Column('created_at', salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_statements_decision_id_decisions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements'))
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_statements_decision_id'), ['decision_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statements_decision_id'))
        batch_op.drop_index('ix_statements_created_at')

    op.drop_table('statements')
    with op.batch_alter_table('notice_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_evidence_notice_id'))

    op.drop_table('notice_evidence')
    op.drop_table('notice_cases')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeals_decision_id'))
        batch_op.drop_index('ix_appeals_created_at')
        batch_op.drop_index(batch_op.f('ix_appeals_case_id'))

    op.drop_table('appeals')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_status'))
        batch_op.drop_index(batch_op.f('ix_notices_reporter_user_id'))
        batch_op.drop_index('ix_notices_received_at')
        batch_op.drop_index('ix_notices_policy')
        batch_op.drop_index('ix_notices_partner_received')
        batch_op.drop_index(batch_op.f('ix_notices_content_id'))
        batch_op.drop_index(batch_op.f('ix_notices_case_id'))

    op.drop_table('notices')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_decisions_policy')
        batch_op.drop_index('ix_decisions_decided_at')
        batch_op.drop_index('ix_decisions_content')
        batch_op.drop_index(batch_op.f('ix_decisions_case_id'))
        batch_op.drop_index('ix_decisions_action')
        batch_op.drop_index('ix_decisions_account')

    op.drop_table('decisions')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_lease')
        batch_op.drop_index('ix_cases_content')
        batch_op.drop_index('ix_cases_claimable')
        batch_op.drop_index(batch_op.f('ix_cases_account_id'))

    op.drop_table('cases')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_due')
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_partner_id'))

    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient')
        batch_op.drop_index(batch_op.f('ix_notifications_decision_id'))

    op.drop_table('notifications')
