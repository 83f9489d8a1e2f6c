"""update items: the owner's edit of a highlight (and the words before it), the tracker link an item came from

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("update_item") as batch:
        batch.add_column(sa.Column("original_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("edited_by", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("link_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_update_item_link_id_tracker_link"), "tracker_link", ["link_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("update_item") as batch:
        batch.drop_constraint(op.f("fk_update_item_link_id_tracker_link"), type_="foreignkey")
        batch.drop_column("link_id")
        batch.drop_column("edited_by")
        batch.drop_column("original_text")
