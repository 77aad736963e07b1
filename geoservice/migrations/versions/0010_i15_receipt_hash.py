"""Receipt codes kept only as a keyed hash; a staff-only "where exactly?" text per concern.

The stored codes are replaced by HMAC-SHA256 of the code under the app's secret key (the
same as ``store.reports.receipt_digest``), so a resident's code keeps working while no
page, export or dump can show it. The key comes from the app (``store.schema.upgrade``);
a database that holds concerns cannot be upgraded without it.

Revision ID: 0010
Revises: 0009
"""

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from alembic import context, op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _digest(secret: str, receipt: str) -> str:
    # Kept in step with store.reports.receipt_digest (a test checks they agree).
    return hmac.new(secret.encode(), b"receipt|" + receipt.encode(), hashlib.sha256).hexdigest()


def upgrade() -> None:
    connection = op.get_bind()
    reports = sa.table("reports", sa.column("id"), sa.column("receipt"), sa.column("receipt_hash"))
    count = connection.execute(sa.select(sa.func.count()).select_from(reports)).scalar()
    secret = context.config.attributes.get("secret_key")
    if count and not secret:
        raise RuntimeError(
            "hashing the stored receipt codes needs the app's secret key: upgrade with "
            "`geoservice init-db` (GEOSERVICE_SECRET_KEY set as when serving)"
        )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("place_note", sa.Text(), nullable=True))
    rows = connection.execute(sa.select(reports.c.id, reports.c.receipt)).all()
    updates = [{"key": row.id, "digest": _digest(secret, row.receipt)} for row in rows]
    statement = (
        sa.update(reports)
        .where(reports.c.id == sa.bindparam("key"))
        .values(receipt_hash=sa.bindparam("digest"))
    )
    for start in range(0, len(updates), 5000):
        connection.execute(statement, updates[start : start + 5000])
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.alter_column("receipt_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_reports_receipt_hash", ["receipt_hash"])
        batch_op.drop_column("receipt")


def downgrade() -> None:
    """Back to a receipt column; the codes themselves were never kept, so new ones are made
    that nobody holds (every resident's code stops working)."""
    connection = op.get_bind()
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt", sa.String(length=16), nullable=True))
    reports = sa.table("reports", sa.column("id"), sa.column("receipt"))
    ids = connection.execute(sa.select(reports.c.id)).scalars().all()
    statement = (
        sa.update(reports)
        .where(reports.c.id == sa.bindparam("key"))
        .values(receipt=sa.bindparam("code"))
    )
    updates = [{"key": i, "code": secrets.token_hex(8)} for i in ids]
    for start in range(0, len(updates), 5000):
        connection.execute(statement, updates[start : start + 5000])
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.alter_column("receipt", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint("uq_reports_receipt", ["receipt"])
        batch_op.drop_constraint("uq_reports_receipt_hash", type_="unique")
        batch_op.drop_column("receipt_hash")
        batch_op.drop_column("place_note")
