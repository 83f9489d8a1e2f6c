"""foundation: projects, milestones, outbox, updates

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa
import bot.models.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('client_name', sa.String(length=200), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('internal_channel_id', sa.String(length=32), nullable=True),
    sa.Column('owner_id', sa.String(length=32), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.Column('cadence_weekday', sa.Integer(), nullable=False),
    sa.Column('cadence_time', sa.String(length=5), nullable=False),
    sa.Column('respond_within', sa.String(length=8), nullable=False),
    sa.Column('approval_mode', sa.String(length=16), nullable=False),
    sa.Column('preview_lead_hours', sa.Integer(), nullable=False),
    sa.Column('business_days', sa.String(length=7), nullable=False),
    sa.Column('business_start', sa.String(length=5), nullable=False),
    sa.Column('business_end', sa.String(length=5), nullable=False),
    sa.Column('weekly_budget', sa.Integer(), nullable=False),
    sa.Column('health_override', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attention', sa.Text(), nullable=True),
    sa.Column('auto_ack', sa.Boolean(), nullable=False),
    sa.Column('scope_include', sa.Text(), nullable=True),
    sa.Column('scope_exclude', sa.Text(), nullable=True),
    sa.Column('next_update_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('next_preview_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('last_update_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('team_id', 'slug', name=op.f('uq_project_team_id_slug'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index('ix_project_due', ['status', 'next_update_at'], unique=False)
        batch_op.create_index('ix_project_preview_due', ['status', 'next_preview_at'], unique=False)

    op.create_table('seen_delivery',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('seen_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_seen_delivery'))
    )
    with op.batch_alter_table('seen_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seen_delivery_seen_at'), ['seen_at'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('baseline_due_date', sa.Date(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('risk_note', sa.Text(), nullable=True),
    sa.Column('done_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('done_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_milestone_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone')),
    sa.UniqueConstraint('project_id', 'number', name=op.f('uq_milestone_project_id_number'))
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index('ix_milestone_open_due', ['state', 'due_date'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('period_key', sa.String(length=80), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('thread_of_id', sa.Integer(), nullable=True),
    sa.Column('thread_ts', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('client_visible', sa.Boolean(), nullable=False),
    sa.Column('top_level', sa.Boolean(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('not_before', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_until', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('posted_channel_id', sa.String(length=32), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('sent_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_outbox_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_of_id'], ['outbox.id'], name=op.f('fk_outbox_thread_of_id_outbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('project_id', 'kind', 'period_key', name=op.f('uq_outbox_project_id_kind_period_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_channel_sent', ['channel_id', 'sent_at'], unique=False)
        batch_op.create_index('ix_outbox_ready', ['state', 'not_before'], unique=False)

    op.create_table('milestone_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('old_date', sa.Date(), nullable=False),
    sa.Column('new_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('impact', sa.Text(), nullable=True),
    sa.Column('client_notified', sa.Boolean(), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=True),
    sa.Column('moved_by', sa.String(length=32), nullable=False),
    sa.Column('moved_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_milestone_move_milestone_id_milestone'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_move'))
    )
    with op.batch_alter_table('milestone_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_move_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('weekly_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sa.String(length=32), nullable=False),
    sa.Column('scheduled_for', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('decided_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('reminded_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_weekly_update_outbox_id_outbox')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_weekly_update_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_update')),
    sa.UniqueConstraint('project_id', 'period_key', name=op.f('uq_weekly_update_project_id_period_key'))
    )
    with op.batch_alter_table('weekly_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_weekly_update_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_weekly_update_waiting', ['state', 'reminded_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('weekly_update', schema=None) as batch_op:
        batch_op.drop_index('ix_weekly_update_waiting')
        batch_op.drop_index(batch_op.f('ix_weekly_update_project_id'))

    op.drop_table('weekly_update')
    with op.batch_alter_table('milestone_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_move_milestone_id'))

    op.drop_table('milestone_move')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_ready')
        batch_op.drop_index('ix_outbox_channel_sent')

    op.drop_table('outbox')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_open_due')

    op.drop_table('milestone')
    with op.batch_alter_table('seen_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seen_delivery_seen_at'))

    op.drop_table('seen_delivery')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index('ix_project_preview_due')
        batch_op.drop_index('ix_project_due')
        batch_op.drop_index(batch_op.f('ix_project_channel_id'))

    op.drop_table('project')
