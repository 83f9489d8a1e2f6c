"""chart claims: a picture being drawn is stale ten minutes after a worker took it, not after it was asked for

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chart_request") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE chart_request SET claimed_at = created_at WHERE state = 'drawing'")


def downgrade() -> None:
    with op.batch_alter_table("chart_request") as batch:
        batch.drop_column("claimed_at")
