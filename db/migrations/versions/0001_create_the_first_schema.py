"""create the first schema

Revision ID: 0001
Revises: 
Create Date: 2026-12-04 20:48:03.248168
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import db.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('default_locale', sa.String(length=10), nullable=False),
    sa.Column('time_zone', sa.String(length=40), nullable=False),
    sa.Column('sms_policy', sa.String(length=10), nullable=False),
    sa.Column('offer_wave_size', sa.Integer(), nullable=False),
    sa.Column('offer_timeout_minutes', sa.Integer(), nullable=False),
    sa.Column('max_offer_waves', sa.Integer(), nullable=False),
    sa.Column('coordinator_phone', sa.String(length=20), nullable=True),
    sa.Column('last_request_number', sa.Integer(), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_areas')),
    sa.UniqueConstraint('slug', name=op.f('uq_service_areas_slug'))
    )
    op.create_table('area_numbers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['service_areas.id'], name=op.f('fk_area_numbers_area_id_service_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_numbers')),
    sa.UniqueConstraint('phone', name=op.f('uq_area_numbers_phone'))
    )
    with op.batch_alter_table('area_numbers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_numbers_area_id'), ['area_id'], unique=False)

    op.create_table('citizens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('locale_chosen', sa.Boolean(), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['service_areas.id'], name=op.f('fk_citizens_area_id_service_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizens')),
    sa.UniqueConstraint('area_id', 'phone', name=op.f('uq_citizens_area_id_phone'))
    )
    op.create_table('conversation_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['service_areas.id'], name=op.f('fk_conversation_states_area_id_service_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_states')),
    sa.UniqueConstraint('area_id', 'phone', 'channel', name=op.f('uq_conversation_states_area_id_phone_channel'))
    )
    op.create_table('volunteers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('languages', sa.String(length=40), nullable=False),
    sa.Column('skills', sa.String(length=60), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['service_areas.id'], name=op.f('fk_volunteers_area_id_service_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteers')),
    sa.UniqueConstraint('area_id', 'phone', name=op.f('uq_volunteers_area_id_phone'))
    )
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteers_area_id'), ['area_id'], unique=False)

    op.create_table('help_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('document_type', sa.String(length=40), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('offer_wave', sa.Integer(), nullable=False),
    sa.Column('recording_url', sa.String(length=500), nullable=True),
    sa.Column('recording_seconds', sa.Integer(), nullable=True),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('offered_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('done_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['service_areas.id'], name=op.f('fk_help_requests_area_id_service_areas')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_help_requests_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_help_requests_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_requests')),
    sa.UniqueConstraint('area_id', 'number', name=op.f('uq_help_requests_area_id_number'))
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index('ix_help_requests_citizen_created', ['citizen_id', 'created_at'], unique=False)
        batch_op.create_index('ix_help_requests_status_area', ['status', 'area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_requests_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('provider_sid', sa.String(length=64), nullable=True),
    sa.Column('from_number', sa.String(length=20), nullable=True),
    sa.Column('to_number', sa.String(length=20), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('encoding', sa.String(length=8), nullable=True),
    sa.Column('segments', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['service_areas.id'], name=op.f('fk_messages_area_id_service_areas')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_messages_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['request_id'], ['help_requests.id'], name=op.f('fk_messages_request_id_help_requests')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_messages_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('provider_sid', name=op.f('uq_messages_provider_sid'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_messages_status_next_attempt', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_messages_to_number', ['to_number', 'id'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sent_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', db.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['help_requests.id'], name=op.f('fk_offers_request_id_help_requests')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_offers_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers')),
    sa.UniqueConstraint('request_id', 'volunteer_id', name=op.f('uq_offers_request_id_volunteer_id'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index('ix_offers_volunteer_status', ['volunteer_id', 'status'], unique=False)

    op.create_table('request_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['help_requests.id'], name=op.f('fk_request_events_request_id_help_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_events'))
    )
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_events_request_id'), ['request_id'], unique=False)

    # With nothing configured, this one area answers every hotline number.
    areas = sa.table(
        "service_areas",
        sa.column("slug", sa.String), sa.column("name", sa.String), sa.column("country", sa.String),
        sa.column("default_locale", sa.String), sa.column("time_zone", sa.String),
        sa.column("sms_policy", sa.String), sa.column("offer_wave_size", sa.Integer),
        sa.column("offer_timeout_minutes", sa.Integer), sa.column("max_offer_waves", sa.Integer),
        sa.column("last_request_number", sa.Integer), sa.column("created_at", db.base.UtcDateTime),
    )
    op.bulk_insert(areas, [{
        "slug": "default", "name": "Hotline", "country": "XK", "default_locale": "sr_Latn",
        "time_zone": "Europe/Belgrade", "sms_policy": "unicode", "offer_wave_size": 3,
        "offer_timeout_minutes": 10, "max_offer_waves": 3, "last_request_number": 0,
        "created_at": datetime.now(timezone.utc),
    }])


def downgrade() -> None:
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_events_request_id'))

    op.drop_table('request_events')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index('ix_offers_volunteer_status')

    op.drop_table('offers')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_to_number')
        batch_op.drop_index('ix_messages_status_next_attempt')
        batch_op.drop_index(batch_op.f('ix_messages_request_id'))

    op.drop_table('messages')
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_requests_volunteer_id'))
        batch_op.drop_index('ix_help_requests_status_area')
        batch_op.drop_index('ix_help_requests_citizen_created')

    op.drop_table('help_requests')
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteers_area_id'))

    op.drop_table('volunteers')
    op.drop_table('conversation_states')
    op.drop_table('citizens')
    with op.batch_alter_table('area_numbers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_numbers_area_id'))

    op.drop_table('area_numbers')
    op.drop_table('service_areas')
