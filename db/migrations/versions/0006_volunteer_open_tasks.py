"""Keep each volunteer's count of open tasks on the volunteer row, indexed for routing.

Revision ID: 0006
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("volunteers") as batch:
        batch.add_column(sa.Column("open_tasks", sa.Integer(), nullable=False, server_default="0"))
    # Tasks accepted before this revision are counted once here; from now on
    # the lifecycle transitions keep the count.
    op.execute(
        "UPDATE volunteers SET open_tasks = (SELECT count(*) FROM help_requests"
        " WHERE help_requests.volunteer_id = volunteers.id AND help_requests.status = 'accepted')"
    )
    op.create_index("ix_volunteers_area_open_tasks", "volunteers", ["area_id", "open_tasks", "id"])


def downgrade() -> None:
    op.drop_index("ix_volunteers_area_open_tasks", table_name="volunteers")
    with op.batch_alter_table("volunteers") as batch:
        batch.drop_column("open_tasks")
