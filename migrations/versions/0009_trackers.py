"""trackers: milestones linked to GitHub, items for the weekly update, the highlight emoji

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import bot.models.base


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("highlight_emoji", sa.String(length=64), server_default="star", nullable=False))

    op.create_table(
        "tracker_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("ref_title", sa.String(length=300), nullable=False),
        sa.Column("eligible", sa.String(length=100), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("remote_due", sa.Date(), nullable=True),
        sa.Column("next_sync_at", bot.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_synced_at", bot.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_ok_at", bot.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", bot.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["milestone_id"], ["milestone.id"], name=op.f("fk_tracker_link_milestone_id_milestone"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_tracker_link_project_id_project"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_link")),
        sa.UniqueConstraint("milestone_id", name=op.f("uq_tracker_link_milestone_id")),
    )
    op.create_index("ix_tracker_link_due", "tracker_link", ["next_sync_at"])
    op.create_index("ix_tracker_link_target", "tracker_link", ["kind", "target", "ref"])
    op.create_index(op.f("ix_tracker_link_project_id"), "tracker_link", ["project_id"])

    op.create_table(
        "update_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("happened_at", bot.models.base.UTCDateTime(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_update_item_project_id_project"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["update_id"], ["weekly_update.id"], name=op.f("fk_update_item_update_id_weekly_update"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_item")),
        sa.UniqueConstraint("project_id", "key", name=op.f("uq_update_item_project_id_key")),
    )
    op.create_index("ix_update_item_open", "update_item", ["project_id", "update_id"])


def downgrade() -> None:
    op.drop_table("update_item")
    op.drop_table("tracker_link")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("highlight_emoji")
