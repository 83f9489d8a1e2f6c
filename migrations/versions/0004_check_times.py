"""check times: when delay detection next looks at a milestone and an alert next escalates; indexes for idle ticks

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import bot.models.base


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_at", bot.models.base.UTCDateTime(), nullable=False,
                                      server_default="1970-01-01 00:00:00"))
        batch_op.create_index("ix_milestone_check", ["state", "check_at"], unique=False)

    with op.batch_alter_table("delay_alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalate_at", bot.models.base.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_delay_alert_escalate", ["state", "escalate_at"], unique=False)
        batch_op.create_index("ix_delay_alert_ts", ["ts"], unique=False)

    with op.batch_alter_table("delay_notice", schema=None) as batch_op:
        batch_op.create_index("ix_delay_notice_sent_at", ["sent_at"], unique=False)

    with op.batch_alter_table("response_promise", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_at", bot.models.base.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_response_promise_alert_at", ["alert_at"], unique=False)

    op.execute("UPDATE delay_alert SET escalate_at = escalate_from WHERE state = 'open' AND acknowledged_at IS NULL "
               "AND (escalation_level < 2 OR snoozed_until IS NOT NULL)")
    op.execute("UPDATE response_promise SET alert_at = CASE WHEN warned_at IS NULL AND warn_at < deadline "
               "THEN warn_at ELSE deadline END WHERE state = 'open' AND overdue_alerted_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("response_promise", schema=None) as batch_op:
        batch_op.drop_index("ix_response_promise_alert_at")
        batch_op.drop_column("alert_at")

    with op.batch_alter_table("delay_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_delay_notice_sent_at")

    with op.batch_alter_table("delay_alert", schema=None) as batch_op:
        batch_op.drop_index("ix_delay_alert_ts")
        batch_op.drop_index("ix_delay_alert_escalate")
        batch_op.drop_column("escalate_at")

    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index("ix_milestone_check")
        batch_op.drop_column("check_at")
