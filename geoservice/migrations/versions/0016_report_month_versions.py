"""A change counter per calendar month (UTC) of the concerns, kept by triggers.

The hotspot statistics count voices month by month and reuse a month's count while its
counter stands still, so one new concern costs the current month's count, not a year's.
Triggers, not application code, move the counters: every insert, update and delete of a
concern — from the web, the CLI, an import, the retention purge or by hand in SQL — moves
the counter of the month it was in and of the month it is in now.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# No conflict clause: inside a trigger SQLite would replace it with that of the statement
# that fired the trigger (an INSERT OR REPLACE would then reset the counter).
_SQLITE_BUMP = """
    INSERT INTO report_month_versions (month, version) SELECT {month}, 0
        WHERE NOT EXISTS (SELECT 1 FROM report_month_versions WHERE month = {month});
    UPDATE report_month_versions SET version = version + 1 WHERE month = {month};
"""

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION bump_report_month() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO report_month_versions AS v (month, version)
        VALUES (to_char(OLD.created_at, 'YYYY-MM'), 1)
        ON CONFLICT (month) DO UPDATE SET version = v.version + 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO report_month_versions AS v (month, version)
        VALUES (to_char(NEW.created_at, 'YYYY-MM'), 1)
        ON CONFLICT (month) DO UPDATE SET version = v.version + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "report_month_versions",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER reports_month_version AFTER INSERT OR UPDATE OR DELETE ON reports "
            "FOR EACH ROW EXECUTE FUNCTION bump_report_month()"
        )
    else:
        old, new = "substr(OLD.created_at, 1, 7)", "substr(NEW.created_at, 1, 7)"
        for event, body in (
            ("INSERT", _SQLITE_BUMP.format(month=new)),
            ("UPDATE", _SQLITE_BUMP.format(month=old) + _SQLITE_BUMP.format(month=new)),
            ("DELETE", _SQLITE_BUMP.format(month=old)),
        ):
            op.execute(
                f"CREATE TRIGGER reports_month_version_{event.lower()} AFTER {event} ON reports "
                f"BEGIN {body} END"
            )
    # Months that already hold concerns start at 1.
    op.execute(
        "INSERT INTO report_month_versions (month, version) SELECT DISTINCT "
        + (
            "to_char(created_at, 'YYYY-MM')"
            if op.get_bind().dialect.name == "postgresql"
            else "substr(created_at, 1, 7)"
        )
        + ", 1 FROM reports"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS reports_month_version ON reports")
        op.execute("DROP FUNCTION IF EXISTS bump_report_month()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS reports_month_version_{event}")
    op.drop_table("report_month_versions")
