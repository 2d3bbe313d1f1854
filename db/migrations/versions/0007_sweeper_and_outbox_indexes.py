"""Index the outbox rows waiting to be sent, and the reminder and overdue-alert rows.

Revision ID: 0007
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None

TASK_NOTES_WHERE = "kind IN ('reminder', 'overdue_alert')"
QUEUED_WHERE = "status = 'queued'"


def upgrade() -> None:
    op.create_index("ix_messages_task_notes", "messages", ["request_id", "kind"],
                    postgresql_where=sa.text(TASK_NOTES_WHERE), sqlite_where=sa.text(TASK_NOTES_WHERE))
    op.create_index("ix_messages_queued", "messages", ["id"],
                    postgresql_where=sa.text(QUEUED_WHERE), sqlite_where=sa.text(QUEUED_WHERE))


def downgrade() -> None:
    op.drop_index("ix_messages_queued", table_name="messages")
    op.drop_index("ix_messages_task_notes", table_name="messages")
