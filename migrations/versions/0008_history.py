"""history: the append-only record of posts, date moves, promises, owed items and votes

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

import bot.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "history_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", bot.models.base.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_history_event_project_id_project"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_event")),
    )
    op.create_index("ix_history_event_project_at", "history_event", ["project_id", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_history_event_project_at", table_name="history_event")
    op.drop_table("history_event")
