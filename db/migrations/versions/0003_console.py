"""Add coordinator accounts, their areas, and volunteer profiles for the console.

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import db.base

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordinators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinators")),
        sa.UniqueConstraint("username", name=op.f("uq_coordinators_username")),
    )
    op.create_table(
        "coordinator_areas",
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["service_areas.id"], ondelete="CASCADE",
                                name=op.f("fk_coordinator_areas_area_id_service_areas")),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinators.id"], ondelete="CASCADE",
                                name=op.f("fk_coordinator_areas_coordinator_id_coordinators")),
        sa.PrimaryKeyConstraint("coordinator_id", "area_id", name=op.f("pk_coordinator_areas")),
    )
    op.create_table(
        "volunteer_profiles",
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("neighbourhoods", sa.Text(), nullable=False),
        sa.Column("available_days", sa.String(length=40), nullable=False),
        sa.Column("available_from", sa.String(length=5), nullable=True),
        sa.Column("available_until", sa.String(length=5), nullable=True),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"], ondelete="CASCADE",
                                name=op.f("fk_volunteer_profiles_volunteer_id_volunteers")),
        sa.PrimaryKeyConstraint("volunteer_id", name=op.f("pk_volunteer_profiles")),
    )


def downgrade() -> None:
    op.drop_table("volunteer_profiles")
    op.drop_table("coordinator_areas")
    op.drop_table("coordinators")
