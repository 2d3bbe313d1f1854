"""The send job: one outbox row to the provider, claimed so that it leaves once."""

import logging
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, literal, or_, select, update

from db.areas import ServiceArea
from db.base import utcnow
from db.messages import (
    DIRECTION_OUT,
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
from workers.providers.registry import HeldBack, Route

log = logging.getLogger(__name__)

# Transient provider errors are retried this many times in all, with
# exponential backoff and full jitter, before the row is marked failed.
MAX_SEND_ATTEMPTS = 6
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 600


# A send job claims up to this many queued rows, its own included, and sends
# them in parallel, so a worker waits for several provider responses at once.
# Within a batch, each recipient's texts leave in the order they were written.
SEND_BATCH_SIZE = 8


@dataclass(frozen=True)
class ReadyToSend:
    """A claimed row that passed every check, with what the provider needs."""

    message_id: int
    route: Route
    from_number: str
    to_number: str
    body: str


def send_message(message_id: int) -> str:
    """Send one outbox row, and a few other queued ones beside it; returns this row's new status.

    The claim is a conditional UPDATE from queued or retrying to sending, so a
    sweeper and a slow worker cannot both send the same row. A row claimed
    here as a companion makes its own job find nothing to do.
    """
    context = get_context()
    with context.database.session() as session:
        if not _claim(session, message_id):
            log.debug("message %s already claimed or finished", message_id)
            return "skipped"
        claimed = [message_id] + _claim_companions(session, message_id, SEND_BATCH_SIZE - 1)
        prepared = {claimed_id: _prepare(context, session, claimed_id) for claimed_id in claimed}

    statuses = {}
    ready: dict[str, list[ReadyToSend]] = {}
    # In id order, so each recipient's texts leave in the order they were written.
    for claimed_id, outcome in sorted(prepared.items()):
        if isinstance(outcome, ReadyToSend):
            ready.setdefault(outcome.to_number, []).append(outcome)
        elif isinstance(outcome, timedelta):
            _schedule_retry(claimed_id, outcome)
            statuses[claimed_id] = STATUS_RETRYING
        else:
            statuses[claimed_id] = outcome

    callback = _status_callback_url(context.settings.public_url)
    if len(ready) <= 1:
        for sends in ready.values():
            statuses.update(_send_in_order(context, sends, callback))
    else:
        with ThreadPoolExecutor(max_workers=len(ready), thread_name_prefix="send") as pool:
            for result in pool.map(lambda sends: _send_in_order(context, sends, callback), ready.values()):
                statuses.update(result)
    if len(claimed) > 1:
        log.debug("send job for message %s also sent %s", message_id, claimed[1:])
    return statuses[message_id]


def _claim_companions(session, message_id: int, count: int) -> list[int]:
    """Claim up to count other queued rows, oldest first, skipping rows another worker holds."""
    if count <= 0:
        return []
    # Oldest first, so a later text to one person does not leave before an
    # earlier one; ix_messages_queued holds only queued rows, in id order.
    # The ids are read first, not in a subquery of the UPDATE, because a plan
    # that runs such a subquery again per row can lock more than its LIMIT.
    waiting = list(session.scalars(
        select(Message.id)
        # Inlined, not bound: a partial index serves only a statement whose
        # condition the planner can see, also once the statement is prepared.
        .where(Message.status == literal(STATUS_QUEUED, literal_execute=True), Message.direction == DIRECTION_OUT,
               Message.id != message_id)
        .order_by(Message.id)
        .limit(count)
        .with_for_update(skip_locked=True)
    ).all())
    if not waiting:
        return []
    return list(session.scalars(
        update(Message)
        .where(Message.id.in_(waiting), Message.status == STATUS_QUEUED)
        .values(status=STATUS_SENDING, attempts=Message.attempts + 1, updated_at=utcnow())
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).all())


def _prepare(context, session, message_id: int) -> ReadyToSend | timedelta | str:
    """Check one claimed row in the claim's transaction.

    Returns what to send, a delay when the row was put back to wait for a
    phone's free slot, or the row's final status when it will not be sent.
    """
    message = session.get(Message, message_id)
    route = choose_route(context, session, message)
    held_back = check_hourly_limit(context.send_limiter, route) if route is not None else None
    if held_back is not None:
        return hold_back(session, message, held_back)
    if _over_daily_limit(context, session, message):
        message.status = STATUS_FAILED
        message.flag = "daily_limit"
        message.last_error = "not sent: this number reached its daily reply limit"
        return STATUS_FAILED
    if route is None:
        message.status = STATUS_HELD
        message.updated_at = utcnow()
        log.info("message %s held in the outbox: no provider configured", message_id)
        return STATUS_HELD
    return ReadyToSend(message_id, route, message.from_number, message.to_number, message.body)


def _send_in_order(context, sends: list[ReadyToSend], callback: str | None) -> dict[int, str]:
    # One recipient's texts leave one after another, in the order they were
    # written, so "request received" is not sent after the text that follows it.
    return {send.message_id: _send_ready(context, send, callback) for send in sends}


def _send_ready(context, send: ReadyToSend, callback: str | None) -> str:
    database = context.database
    # NOTE: a worker killed after the provider accepted the text but before the
    # commit below leaves the row in "sending", and the sweeper sends it again.
    # Twilio's Messages API takes no idempotency key, so that window stays.
    try:
        outcome = send.route.send_sms(send.from_number, send.to_number, send.body, callback, context.send_limiter)
    except ProviderError as error:
        return _record_failure(database, send.message_id, error)

    with database.session() as session:
        message = session.get(Message, send.message_id)
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
        _schedule_retry(send.message_id, delay)
        return STATUS_RETRYING
    log.info("message %s sent to %s as %s through %s", send.message_id, mask_phone(send.to_number),
             outcome.receipt.sid, outcome.step.label)
    return STATUS_SENT


def _over_daily_limit(context, session, message: Message) -> bool:
    # Only texts to citizens count: volunteers and coordinators are known
    # numbers, and a busy day must not silence their task offers.
    if message.citizen_id is None or context.redis is None:
        return False
    area = session.get(ServiceArea, message.area_id)
    return replies_over_limit(context.redis, area.id, message.to_number, area.replies_per_day, utcnow())


def _claim(session, message_id: int) -> bool:
    # A retrying row waits for its time: a job that wakes early (a duplicate,
    # or the row's first job after another job's batch already tried it) must
    # not cut a provider's backoff or a phone's hourly limit short.
    now = utcnow()
    due_retry = and_(Message.status == STATUS_RETRYING,
                     or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now))
    result = session.execute(
        update(Message)
        .where(Message.id == message_id, or_(Message.status == STATUS_QUEUED, due_retry))
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
