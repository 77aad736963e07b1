"""The patrol log: patrols carried out, to set effort against concerns.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patrol_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("carried_out_on", sa.Date(), nullable=False),
        sa.Column("time_window", sa.String(length=64), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("patrol_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patrol_log_carried_out_on"), ["carried_out_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("patrol_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrol_log_carried_out_on"))

    op.drop_table("patrol_log")
