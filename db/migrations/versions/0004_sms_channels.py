"""Add providers per service area, SMS gateway phones and their handed-over messages.

Revision ID: 0004
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import db.base

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("api_base_url", sa.String(length=300), nullable=True),
        sa.Column("account_env", sa.String(length=80), nullable=True),
        sa.Column("secret_env", sa.String(length=80), nullable=True),
        sa.Column("signing_key_env", sa.String(length=80), nullable=True),
        sa.Column("from_number", sa.String(length=20), nullable=True),
        sa.Column("sim_by_prefix", sa.String(length=200), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("max_per_hour", sa.Integer(), nullable=False),
        sa.Column("silence_minutes", sa.Integer(), nullable=False),
        sa.Column("backlog_alert", sa.Integer(), nullable=False),
        sa.Column("created_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_providers")),
        sa.UniqueConstraint("name", name=op.f("uq_channel_providers_name")),
    )
    op.create_table(
        "area_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("fallback_provider_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["service_areas.id"],
                                name=op.f("fk_area_channels_area_id_service_areas")),
        sa.ForeignKeyConstraint(["provider_id"], ["channel_providers.id"],
                                name=op.f("fk_area_channels_provider_id_channel_providers")),
        sa.ForeignKeyConstraint(["fallback_provider_id"], ["channel_providers.id"],
                                name=op.f("fk_area_channels_fallback_provider_id_channel_providers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_channels")),
        sa.UniqueConstraint("area_id", "purpose", name=op.f("uq_area_channels_area_id_purpose")),
    )
    op.create_table(
        "sms_gateway_states",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("last_ping_at", db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_event_at", db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("health_status", sa.String(length=10), nullable=True),
        sa.Column("battery_level", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(length=10), nullable=False),
        sa.Column("condition_since", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["channel_providers.id"],
                                name=op.f("fk_sms_gateway_states_provider_id_channel_providers")),
        sa.PrimaryKeyConstraint("provider_id", name=op.f("pk_sms_gateway_states")),
    )
    op.create_table(
        "sms_gateway_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("gateway_message_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("updated_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["channel_providers.id"],
                                name=op.f("fk_sms_gateway_messages_provider_id_channel_providers")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_sms_gateway_messages_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_gateway_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_sms_gateway_messages_message_id")),
    )
    with op.batch_alter_table("sms_gateway_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_gateway_messages_provider_id"), ["provider_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sms_gateway_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_gateway_messages_provider_id"))
    op.drop_table("sms_gateway_messages")
    op.drop_table("sms_gateway_states")
    op.drop_table("area_channels")
    op.drop_table("channel_providers")
