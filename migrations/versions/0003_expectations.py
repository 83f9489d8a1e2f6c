"""expectations: kickoff card, response promises, owed items, check-ins and survey votes

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import bot.models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('response_promise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('message_ts', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('acknowledged', sa.Boolean(), nullable=False),
    sa.Column('received_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('warn_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('deadline', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('warned_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('overdue_alerted_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('answered_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('answered_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_response_promise_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_promise')),
    sa.UniqueConstraint('channel_id', 'message_ts', name=op.f('uq_response_promise_channel_id_message_ts'))
    )
    with op.batch_alter_table('response_promise', schema=None) as batch_op:
        batch_op.create_index('ix_response_promise_open', ['state', 'warn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_promise_project_id'), ['project_id'], unique=False)

    op.create_table('checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('sent_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_checkin_milestone_id_milestone'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_checkin_outbox_id_outbox'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_checkin_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin')),
    sa.UniqueConstraint('project_id', 'subject', name=op.f('uq_checkin_project_id_subject'))
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_due', ['state', 'due_at'], unique=False)

    op.create_table('kickoff_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('previews', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('approved_by', sa.String(length=32), nullable=True),
    sa.Column('approved_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('posted_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_kickoff_card_outbox_id_outbox'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_kickoff_card_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kickoff_card')),
    sa.UniqueConstraint('project_id', name=op.f('uq_kickoff_card_project_id'))
    )
    op.create_table('owed_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('blocks_milestone_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('next_reminder_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('last_reminded_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('received_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.Column('received_by', sa.String(length=32), nullable=True),
    sa.Column('received_via', sa.String(length=16), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['blocks_milestone_id'], ['milestone.id'], name=op.f('fk_owed_item_blocks_milestone_id_milestone'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_owed_item_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_owed_item'))
    )
    with op.batch_alter_table('owed_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owed_item_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_owed_item_remind', ['state', 'next_reminder_at'], unique=False)

    op.create_table('survey_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('voted_at', bot.models.base.UTCDateTime(), nullable=False),
    sa.Column('changed_at', bot.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_survey_vote_checkin_id_checkin'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_vote')),
    sa.UniqueConstraint('checkin_id', 'user_id', name=op.f('uq_survey_vote_checkin_id_user_id'))
    )


def downgrade() -> None:
    op.drop_table('survey_vote')
    with op.batch_alter_table('owed_item', schema=None) as batch_op:
        batch_op.drop_index('ix_owed_item_remind')
        batch_op.drop_index(batch_op.f('ix_owed_item_project_id'))

    op.drop_table('owed_item')
    op.drop_table('kickoff_card')
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_due')

    op.drop_table('checkin')
    with op.batch_alter_table('response_promise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_promise_project_id'))
        batch_op.drop_index('ix_response_promise_open')

    op.drop_table('response_promise')
