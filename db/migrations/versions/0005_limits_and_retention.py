"""Add abuse limits, reminders and retention to service areas, and flag inbound messages.

Revision ID: 0005
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

AREA_COLUMNS = (
    ("sms_segment_budget", "2"),
    ("inbound_per_minute", "10"),
    ("replies_per_day", "40"),
    ("reminder_hours", "24"),
    ("overdue_hours", "72"),
    ("retention_days", "365"),
)


def upgrade() -> None:
    with op.batch_alter_table("service_areas") as batch:
        for name, default in AREA_COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=default))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("flag", sa.String(length=30), nullable=True))
    with op.batch_alter_table("help_requests") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("help_requests") as batch:
        batch.drop_column("anonymised_at")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("flag")
    with op.batch_alter_table("service_areas") as batch:
        for name, _default in AREA_COLUMNS:
            batch.drop_column(name)
