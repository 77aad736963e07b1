"""The council's report: a moderator can hide a suggestion's wording; figures added by hand.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quote_hidden", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "report_figures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("measure", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False, server_default=""),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_figures")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("quote_hidden")
