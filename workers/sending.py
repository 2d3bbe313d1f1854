"""The send job: one outbox row to the provider, claimed so that it leaves once."""

import logging
import random
from datetime import timedelta

from sqlalchemy import select, update

from db.areas import ServiceArea
from db.base import utcnow
from db.messages import (
    STATUS_FAILED,
    STATUS_HELD,
    STATUS_QUEUED,
    STATUS_RETRYING,
    STATUS_SENDING,
    STATUS_SENT,
    Message,
)
from db.phone_numbers import mask_phone
from db.requests import OFFER_PENDING, OFFER_UNREACHABLE, Offer
from db.session import enqueue_after_commit
from workers.channel_sending import check_hourly_limit, choose_route, hold_back, record_sent_through
from workers.context import get_context
from workers.limits import replies_over_limit
from workers.providers.base import ProviderError
from workers.providers.registry import HeldBack

log = logging.getLogger(__name__)

# Transient provider errors are retried this many times in all, with
# exponential backoff and full jitter, before the row is marked failed.
MAX_SEND_ATTEMPTS = 6
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 600


def send_message(message_id: int) -> str:
    """Send one outbox row; returns the row's new status.

    The claim is a conditional UPDATE from queued or retrying to sending, so a
    sweeper and a slow worker cannot both send the same row.
    """
    context = get_context()
    database = context.database

    with database.session() as session:
        if not _claim(session, message_id):
            log.debug("message %s already claimed or finished", message_id)
            return "skipped"
        message = session.get(Message, message_id)
        route = choose_route(context, session, message)
        held_back = check_hourly_limit(context.send_limiter, route) if route is not None else None
        if held_back is not None:
            delay = hold_back(session, message, held_back)
        elif _over_daily_limit(context, session, message):
            message.status = STATUS_FAILED
            message.flag = "daily_limit"
            message.last_error = "not sent: this number reached its daily reply limit"
            return STATUS_FAILED
        elif route is None:
            message.status = STATUS_HELD
            message.updated_at = utcnow()
            log.info("message %s held in the outbox: no provider configured", message_id)
            return STATUS_HELD
        from_number, to_number, body = message.from_number, message.to_number, message.body
    if held_back is not None:
        _schedule_retry(message_id, delay)
        return STATUS_RETRYING

    callback = _status_callback_url(context.settings.public_url)
    # NOTE: a worker killed after the provider accepted the text but before the
    # commit below leaves the row in "sending"; the sweeper then sends it again.
    # Twilio's Messages API takes no idempotency key, so that window stays.
    try:
        outcome = route.send_sms(from_number, to_number, body, callback, context.send_limiter)
    except ProviderError as error:
        return _record_failure(database, message_id, error)

    with database.session() as session:
        message = session.get(Message, message_id)
        if isinstance(outcome, HeldBack):
            # Another worker took the phone's last slot between the check and the send.
            delay = hold_back(session, message, outcome)
        else:
            message.provider_sid = outcome.receipt.sid
            message.status = STATUS_SENT
            message.sent_at = message.updated_at = utcnow()
            message.last_error = None
            record_sent_through(session, message, outcome)
    if isinstance(outcome, HeldBack):
        _schedule_retry(message_id, delay)
        return STATUS_RETRYING
    log.info("message %s sent to %s as %s through %s", message_id, mask_phone(to_number), outcome.receipt.sid,
             outcome.step.label)
    return STATUS_SENT


def _over_daily_limit(context, session, message: Message) -> bool:
    # Only texts to citizens count: volunteers and coordinators are known
    # numbers, and a busy day must not silence their task offers.
    if message.citizen_id is None or context.redis is None:
        return False
    area = session.get(ServiceArea, message.area_id)
    return replies_over_limit(context.redis, area.id, message.to_number, area.replies_per_day, utcnow())


def _claim(session, message_id: int) -> bool:
    result = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status.in_((STATUS_QUEUED, STATUS_RETRYING)))
        .values(status=STATUS_SENDING, attempts=Message.attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _record_failure(database, message_id: int, error: ProviderError) -> str:
    with database.session() as session:
        message = session.get(Message, message_id)
        message.last_error = error.describe()[:500]
        message.updated_at = utcnow()

        if error.permanent or message.attempts >= MAX_SEND_ATTEMPTS:
            message.status = STATUS_FAILED
            log.error("message %s failed after %s attempts: %s", message_id, message.attempts, error.describe())
            _skip_unreachable_volunteer(session, message)
            return STATUS_FAILED

        delay = retry_delay(message.attempts)
        message.status = STATUS_RETRYING
        message.next_attempt_at = utcnow() + delay
        log.warning("message %s will retry in %.0fs (attempt %s): %s", message_id, delay.total_seconds(),
                    message.attempts, error.describe())
    _schedule_retry(message_id, delay)
    return STATUS_RETRYING


def retry_delay(attempts: int) -> timedelta:
    """Return the wait before the next try: exponential, capped, with full jitter."""
    ceiling = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _schedule_retry(message_id: int, delay: timedelta) -> None:
    context = get_context()
    if context.redis is None:
        return
    from workers.dispatch import Dispatcher

    Dispatcher(context.redis).enqueue_in(delay, "send_message", (message_id,))


def _skip_unreachable_volunteer(session, message: Message) -> None:
    # An offer that cannot reach its volunteer counts as a no, so the request
    # moves to the next volunteers instead of waiting for the offer to expire.
    if message.kind != "offer" or message.request_id is None or message.volunteer_id is None:
        return
    offer = session.scalar(select(Offer).where(
        Offer.request_id == message.request_id, Offer.volunteer_id == message.volunteer_id,
        Offer.status == OFFER_PENDING,
    ))
    if offer is None:
        return
    offer.status = OFFER_UNREACHABLE
    offer.answered_at = utcnow()
    enqueue_after_commit(session, "route_request", message.request_id)


def _status_callback_url(public_url: str | None) -> str | None:
    if not public_url:
        return None
    return public_url.rstrip("/") + "/twilio/sms/status"
