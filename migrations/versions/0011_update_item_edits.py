"""update items: the owner's edit of a highlight (and the words before it)

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("update_item") as batch:
        batch.add_column(sa.Column("original_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("edited_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("update_item") as batch:
        batch.drop_column("edited_by")
        batch.drop_column("original_text")
