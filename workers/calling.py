"""The place_call job: one confirmation call handed to the provider, within the area's calling hours."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.base import utcnow
from db.call_retries import retry_or_fail
from db.channels import PURPOSE_VOICE
from db.calls import (
    CALL_CALLING,
    CALL_FAILED,
    CALL_HELD,
    CALL_QUEUED,
    PLACE_CALL_JOB,
    WAITING_CALL_STATUSES,
    OutboundCall,
)
from db.phone_numbers import mask_phone
from db.session import enqueue_after_commit
from db.voice_settings import load_voice_settings
from workers.context import get_context
from workers.providers.base import ProviderError

log = logging.getLogger(__name__)

# A queued row without a due time this old was enqueued already, or its enqueue was lost.
QUEUED_GRACE = timedelta(seconds=60)
# A row claimed this long ago without a provider id belongs to a worker that died before placing it.
CLAIMED_GRACE = timedelta(minutes=5)


def place_call(call_id: int) -> str:
    """Place one waiting confirmation call; returns what happened.

    Outside calling hours the call waits for the next opening. The claim is a
    conditional UPDATE, so a sweeper and a delayed job cannot both place it.
    """
    context = get_context()
    with context.database.session() as session:
        call = session.get(OutboundCall, call_id)
        now = utcnow()
        if call is None or call.status not in WAITING_CALL_STATUSES:
            return "skipped"
        if call.next_attempt_at is not None and call.next_attempt_at > now:
            return "not_due"

        area = session.get(ServiceArea, call.area_id)
        calling = load_voice_settings(session, area).calling
        if not calling.is_open(now):
            _wait_for_calling_hours(session, call, calling.next_opening(now), now)
            return "deferred"

        if not _claim(session, call_id, now):
            return "skipped"
        session.refresh(call)
        # The area's voice channel, or the TWILIO_* settings when it has none.
        route = context.providers.route(session, area.id, PURPOSE_VOICE)
        if route is None:
            call.status = CALL_HELD
            log.info("call %s held in the outbox: no provider configured", call_id)
            return CALL_HELD

        problem = _missing_setting(context.settings.public_url, area)
        if problem:
            call.status = CALL_FAILED
            call.last_error = problem
            call.finished_at = now
            log.error("call %s cannot be placed: %s", call_id, problem)
            return CALL_FAILED
        public_url = context.settings.public_url.rstrip("/")
        from_number, to_number = area.sender_number, call.to_number

    try:
        receipt = route.place_call(from_number, to_number, f"{public_url}/twilio/voice/news/{call_id}",
                                   f"{public_url}/twilio/voice/status").receipt
    except ProviderError as error:
        return _record_failure(context.database, call_id, error)

    with context.database.session() as session:
        call = session.get(OutboundCall, call_id)
        call.provider_sid = receipt.sid
        call.provider_status = receipt.status
        call.placed_at = call.updated_at = utcnow()
    log.info("call %s placed to %s as %s (try %s)", call_id, mask_phone(to_number), receipt.sid, call.attempts)
    return CALL_CALLING


def find_calls_to_place(session: Session, now: datetime) -> list[int]:
    """Return the ids of calls the sweeper should enqueue, putting back those a dead worker left claimed."""
    # TODO: a placed call whose status callback never arrives stays "calling";
    # fetching its status from the provider would settle it.
    abandoned = session.scalars(select(OutboundCall.id).where(
        OutboundCall.status == CALL_CALLING, OutboundCall.provider_sid.is_(None),
        OutboundCall.updated_at < now - CLAIMED_GRACE,
    )).all()
    if abandoned:
        session.execute(
            update(OutboundCall).where(OutboundCall.id.in_(abandoned), OutboundCall.status == CALL_CALLING)
            .values(status=CALL_QUEUED, updated_at=now).execution_options(synchronize_session=False)
        )
    due = session.scalars(select(OutboundCall.id).where(OutboundCall.status.in_(WAITING_CALL_STATUSES), or_(
        OutboundCall.next_attempt_at <= now,
        and_(OutboundCall.next_attempt_at.is_(None), OutboundCall.updated_at < now - QUEUED_GRACE),
    ))).all()
    return sorted(set(abandoned) | set(due))


def _wait_for_calling_hours(session: Session, call: OutboundCall, opening: datetime, now: datetime) -> None:
    call.next_attempt_at = opening
    call.updated_at = now
    enqueue_after_commit(session, PLACE_CALL_JOB, call.id, delay_seconds=(opening - now).total_seconds())
    log.info("call %s waits for calling hours until %s", call.id, opening.isoformat())


def _claim(session: Session, call_id: int, now: datetime) -> bool:
    result = session.execute(
        update(OutboundCall)
        .where(OutboundCall.id == call_id, OutboundCall.status.in_(WAITING_CALL_STATUSES),
               or_(OutboundCall.next_attempt_at.is_(None), OutboundCall.next_attempt_at <= now))
        # The previous try's provider id is dropped, so its late callbacks match no row.
        .values(status=CALL_CALLING, attempts=OutboundCall.attempts + 1, updated_at=now, provider_sid=None,
                provider_status=None, answered_by=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _missing_setting(public_url: str | None, area: ServiceArea) -> str | None:
    if not public_url:
        return "PUBLIC_URL is not set, so the provider cannot fetch the call's script; set it to the gateway's address"
    if not area.sender_number:
        return f"area {area.id} has no hotline number to call from; add one to area_numbers"
    return None


def _record_failure(database, call_id: int, error: ProviderError) -> str:
    with database.session() as session:
        call = session.get(OutboundCall, call_id)
        now = utcnow()
        if error.permanent:
            call.status = CALL_FAILED
            call.last_error = error.describe()[:500]
            call.finished_at = call.updated_at = now
            log.error("call %s failed: %s", call_id, error.describe())
            return CALL_FAILED
        return retry_or_fail(session, call, f"provider error: {error.describe()}", now)
