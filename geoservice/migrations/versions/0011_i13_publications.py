"""Publications: each month's protected public table, kept as first published.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("layer_source", sa.String(length=255), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("with_demo", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ux_publications_key",
        "publications",
        ["period", "layer_source", "k", "with_demo"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_publications_key", table_name="publications")
    op.drop_table("publications")
