"""Partner accounts and their event reports (EST); safety walks and their observations.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from geoservice.store.models import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_accounts",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("organisation", sa.String(120), nullable=False),
    )
    op.create_table(
        "event_reports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("organisation", sa.String(120), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reporter_name", sa.String(64), nullable=False),
        sa.Column("occurred_from", UTCDateTime(), nullable=False),
        sa.Column("occurred_to", UTCDateTime(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("cell", sa.BigInteger(), nullable=True),
        sa.Column("area_id", sa.String(64), nullable=True),
        sa.Column("place_name", sa.String(120), nullable=True),
        sa.Column("types", sa.String(200), nullable=False),
        sa.Column("seriousness", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=True, unique=True),
    )
    op.create_index("ix_event_reports_occurred_from", "event_reports", ["occurred_from"])
    op.create_index("ix_event_reports_organisation", "event_reports", ["organisation"])
    op.create_table(
        "walks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("walk_on", sa.Date(), nullable=False),
        sa.Column("route", sa.Text(), nullable=True),
        sa.Column("route_places", sa.Text(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("repeat_of", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_walks_repeat_of", "walks", ["repeat_of"])
    op.create_table(
        "walk_observations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("walk_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("area_id", sa.String(64), nullable=True),
        sa.Column("place_name", sa.String(120), nullable=True),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("follows", sa.Integer(), nullable=True),
        sa.Column("action", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(16), nullable=True),
        sa.Column("owner_name", sa.String(120), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_walk_observations_walk_id", "walk_observations", ["walk_id"])


def downgrade() -> None:
    op.drop_table("walk_observations")
    op.drop_table("walks")
    op.drop_table("event_reports")
    op.drop_table("partner_accounts")
