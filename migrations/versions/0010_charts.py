"""charts: a project's chart setting and its last uploaded timeline; timeline requests waiting for the worker

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("chart", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("chart_file_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("chart_at", sa.DateTime(), nullable=True))
    op.create_table(
        "chart_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_chart_request_project_id_project"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_request")),
    )
    op.create_index("ix_chart_request_waiting", "chart_request", ["state", "created_at"])
    op.create_index(op.f("ix_chart_request_project_id"), "chart_request", ["project_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_chart_request_project_id"), table_name="chart_request")
    op.drop_index("ix_chart_request_waiting", table_name="chart_request")
    op.drop_table("chart_request")
    with op.batch_alter_table("project") as batch:
        batch.drop_column("chart_at")
        batch.drop_column("chart_file_id")
        batch.drop_column("chart")
