"""delays: delay alerts and delay notices

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import bot.models.base


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delay_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('sent_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('client_ack_by', sa.String(length=32), nullable=True),
    sa.Column('client_ack_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_delay_notice_outbox_id_outbox')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_delay_notice_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delay_notice'))
    )
    with op.batch_alter_table('delay_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delay_notice_project_id'), ['project_id'], unique=False)

    op.create_table('delay_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposal', sa.Text(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('opened_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=32), nullable=True),
    sa.Column('acknowledged_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('snoozed_until', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('escalate_from', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('reminded_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('escalated_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.Column('resolved_by', sa.String(length=32), nullable=True),
    sa.Column('resolved_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_delay_alert_milestone_id_milestone'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['delay_notice.id'], name=op.f('fk_delay_alert_notice_id_delay_notice')),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_delay_alert_outbox_id_outbox')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_delay_alert_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delay_alert')),
    sa.UniqueConstraint('milestone_id', 'key', name=op.f('uq_delay_alert_milestone_id_key'))
    )
    with op.batch_alter_table('delay_alert', schema=None) as batch_op:
        batch_op.create_index('ix_delay_alert_message', ['channel_id', 'ts'], unique=False)
        batch_op.create_index(batch_op.f('ix_delay_alert_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index('ix_delay_alert_open', ['state', 'acknowledged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delay_alert_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('delay_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delay_alert_project_id'))
        batch_op.drop_index('ix_delay_alert_open')
        batch_op.drop_index(batch_op.f('ix_delay_alert_notice_id'))
        batch_op.drop_index('ix_delay_alert_message')

    op.drop_table('delay_alert')
    with op.batch_alter_table('delay_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delay_notice_project_id'))

    op.drop_table('delay_notice')
