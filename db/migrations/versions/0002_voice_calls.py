"""Add incoming call state, outbound confirmation calls and per-area voice settings.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "area_voice_settings",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("office_hours", sa.String(length=11), nullable=False),
        sa.Column("office_days", sa.String(length=20), nullable=False),
        sa.Column("calling_hours", sa.String(length=11), nullable=False),
        sa.Column("calling_days", sa.String(length=20), nullable=False),
        sa.Column("dial_timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("max_recording_seconds", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["service_areas.id"],
                                name=op.f("fk_area_voice_settings_area_id_service_areas")),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_area_voice_settings")),
    )
    op.create_table(
        "area_voice_languages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("tts_voice", sa.String(length=60), nullable=True),
        sa.Column("tts_language", sa.String(length=10), nullable=True),
        sa.Column("audio_dir", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["service_areas.id"],
                                name=op.f("fk_area_voice_languages_area_id_service_areas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_voice_languages")),
        sa.UniqueConstraint("area_id", "language", name=op.f("uq_area_voice_languages_area_id_language")),
    )
    op.create_table(
        "voice_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("provider_status", sa.String(length=20), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("started_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["service_areas.id"], name=op.f("fk_voice_calls_area_id_service_areas")),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"], name=op.f("fk_voice_calls_citizen_id_citizens")),
        sa.ForeignKeyConstraint(["request_id"], ["help_requests.id"],
                                name=op.f("fk_voice_calls_request_id_help_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_calls")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_voice_calls_call_sid")),
    )
    op.create_table(
        "voice_call_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=80), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["voice_calls.id"], name=op.f("fk_voice_call_steps_call_id_voice_calls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_call_steps")),
        sa.UniqueConstraint("call_id", "turn", name=op.f("uq_voice_call_steps_call_id_turn")),
    )
    op.create_table(
        "outbound_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("news", sa.String(length=20), nullable=False),
        sa.Column("to_number", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider_sid", sa.String(length=64), nullable=True),
        sa.Column("provider_status", sa.String(length=20), nullable=True),
        sa.Column("answered_by", sa.String(length=30), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("placed_at", db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["service_areas.id"], name=op.f("fk_outbound_calls_area_id_service_areas")),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"], name=op.f("fk_outbound_calls_citizen_id_citizens")),
        sa.ForeignKeyConstraint(["request_id"], ["help_requests.id"],
                                name=op.f("fk_outbound_calls_request_id_help_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_calls")),
        sa.UniqueConstraint("provider_sid", name=op.f("uq_outbound_calls_provider_sid")),
    )
    with op.batch_alter_table("outbound_calls") as batch_op:
        batch_op.create_index(batch_op.f("ix_outbound_calls_request_id"), ["request_id"], unique=False)
        batch_op.create_index("ix_outbound_calls_status_next_attempt", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbound_calls") as batch_op:
        batch_op.drop_index("ix_outbound_calls_status_next_attempt")
        batch_op.drop_index(batch_op.f("ix_outbound_calls_request_id"))
    op.drop_table("outbound_calls")
    op.drop_table("voice_call_steps")
    op.drop_table("voice_calls")
    op.drop_table("area_voice_languages")
    op.drop_table("area_voice_settings")
