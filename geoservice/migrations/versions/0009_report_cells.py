"""Each concern's H3 cell, so the database counts voices per cell for the hotspot API.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    import h3

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cell", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            "ix_reports_voices", ["kind", "created_at", "cell", "client_key", "status"]
        )
    connection = op.get_bind()
    reports = sa.table(
        "reports", sa.column("id"), sa.column("lat"), sa.column("lon"), sa.column("cell")
    )
    rows = connection.execute(sa.select(reports.c.id, reports.c.lat, reports.c.lon)).all()
    updates = [
        {"key": row.id, "cell": h3.str_to_int(h3.latlng_to_cell(row.lat, row.lon, 10))}
        for row in rows
    ]
    statement = sa.update(reports).where(reports.c.id == sa.bindparam("key"))
    for start in range(0, len(updates), 5000):
        connection.execute(statement, updates[start : start + 5000])


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_voices")
        batch_op.drop_column("cell")
