"""project listed: one index answers `/expect list` (a team's active projects in slug order) and counts them

Revision ID: 0016
Revises: 0015
"""
from alembic import op


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_project_listed", "project", ["team_id", "status", "slug"])


def downgrade() -> None:
    op.drop_index("ix_project_listed", table_name="project")
