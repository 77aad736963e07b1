"""Area-layer activation history, activities' layer of their area ids, token expiry and revocation.

Revision ID: 0015
Revises: 0014
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "area_layer_activations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=True),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area_layer", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("area_history", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("areas_mapped", sa.Text(), nullable=True))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))

    # History so far: every stored layer was imported in id order; those after the active
    # one (or all, when the shipped layer is in force) were rolled back.
    connection = op.get_bind()
    layers = sa.table(
        "area_layers",
        sa.column("id"),
        sa.column("active"),
        sa.column("imported_at"),
        sa.column("imported_by"),
    )
    activations = sa.table(
        "area_layer_activations",
        sa.column("layer_id"),
        sa.column("action"),
        sa.column("at"),
        sa.column("by"),
        sa.column("undone_at"),
    )
    rows = connection.execute(
        sa.select(
            layers.c.id, layers.c.active, layers.c.imported_at, layers.c.imported_by
        ).order_by(layers.c.id)
    ).all()
    active = next((row.id for row in rows if row.active), None)
    now = datetime.now(UTC).replace(tzinfo=None)
    for row in rows:
        undone = active is None or row.id > active
        connection.execute(
            sa.insert(activations).values(
                layer_id=row.id,
                action="import",
                at=row.imported_at,
                by=row.imported_by,
                undone_at=now if undone else None,
            )
        )
    activities = sa.table("activities", sa.column("area_layer"))
    key = "shipped" if active is None else f"layer-{active}"
    connection.execute(sa.update(activities).values(area_layer=key))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_column("areas_mapped")
        batch_op.drop_column("area_history")
        batch_op.drop_column("area_layer")
    op.drop_table("area_layer_activations")
