"""Concerns (reports): the first table.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 19:44:28.194079
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("precision", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("time_of_day", sa.String(length=10), nullable=False),
        sa.Column("weekend", sa.Boolean(), nullable=True),
        sa.Column("exact_hour", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("suggestion", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=12), nullable=True),
        sa.Column("age_band", sa.String(length=10), nullable=True),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("receipt", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("payload_hash", sa.String(length=64), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
        sa.UniqueConstraint("receipt"),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_area_id", ["area_id"], unique=False)
        batch_op.create_index("ix_reports_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_reports_is_demo", ["is_demo"], unique=False)
        batch_op.create_index("ix_reports_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_status")
        batch_op.drop_index("ix_reports_is_demo")
        batch_op.drop_index("ix_reports_created_at")
        batch_op.drop_index("ix_reports_area_id")

    op.drop_table("reports")
