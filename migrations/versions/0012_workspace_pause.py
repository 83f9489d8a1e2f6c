"""workspace_pause: workspaces that uninstalled expect or revoked its token, kept until their retention ends

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_pause",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("paused_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspace_pause")),
    )
    op.create_index(op.f("ix_workspace_pause_paused_at"), "workspace_pause", ["paused_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_workspace_pause_paused_at"), table_name="workspace_pause")
    op.drop_table("workspace_pause")
