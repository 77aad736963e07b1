"""A covering index for the public area counts.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = ["kind", "area_id", "category", "time_of_day", "created_at", "status"]


def upgrade() -> None:
    op.create_index("ix_reports_area_counts", "reports", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_reports_area_counts", table_name="reports")
