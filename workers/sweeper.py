"""The sweeper: a scheduled job that finds work a lost enqueue or a dead worker left behind."""

import logging
from datetime import timedelta

from sqlalchemy import and_, literal, or_, select, update

from db.areas import ServiceArea
from db.base import utcnow
from db.messages import DIRECTION_IN, STATUS_QUEUED, STATUS_RECEIVED, STATUS_RETRYING, STATUS_SENDING, Message
from db.requests import OFFER_EXPIRED, OFFER_PENDING, STATUS_NEW, STATUS_OFFERED, HelpRequest, Offer
from workers.calling import find_calls_to_place
from workers.context import get_context
from workers.dispatch import Dispatcher
from workers.reminders import send_due_reminders

log = logging.getLogger(__name__)

# A queued row this old was surely enqueued already, or its enqueue was lost.
QUEUED_GRACE = timedelta(seconds=60)
# A row left in "sending" this long belongs to a worker that died mid-send.
SENDING_GRACE = timedelta(minutes=5)
# A new request this old should have been routed already.
ROUTING_GRACE = timedelta(seconds=60)
SWEEP_INTERVAL_SECONDS = 30
# After an outage thousands of rows may wait while the workers drain them.
# Each sweep puts back at most this many of each kind, oldest first, so a
# backlog is not enqueued again in full every SWEEP_INTERVAL_SECONDS.
SWEEP_BATCH = 1000


def sweep() -> dict:
    """Re-enqueue stuck messages and requests, and expire unanswered offers. Returns counts."""
    context = get_context()
    dispatcher = Dispatcher(context.redis)
    now = utcnow()
    with context.database.session() as session:
        stuck_ids = session.scalars(
            select(Message.id).where(Message.status == STATUS_SENDING, Message.updated_at < now - SENDING_GRACE)
        ).all()
        if stuck_ids:
            session.execute(
                update(Message)
                .where(Message.id.in_(stuck_ids), Message.status == STATUS_SENDING)
                .values(status=STATUS_QUEUED, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        message_ids = list(stuck_ids) + session.scalars(
            select(Message.id).where(or_(
                and_(Message.status == literal(STATUS_QUEUED, literal_execute=True),
                     Message.updated_at < now - QUEUED_GRACE),
                and_(Message.status == STATUS_RETRYING, Message.next_attempt_at <= now),
            )).order_by(Message.id).limit(SWEEP_BATCH)
        ).all()
        stuck_sending = len(stuck_ids)
        request_ids = set(session.scalars(
            select(HelpRequest.id).where(HelpRequest.status == STATUS_NEW, HelpRequest.created_at < now - ROUTING_GRACE)
            .order_by(HelpRequest.id).limit(SWEEP_BATCH)
        ))
        request_ids |= _expire_offers(session, now)
        request_ids |= _offered_without_pending_offer(session, now)
        reminders = send_due_reminders(session, now)
        call_ids = find_calls_to_place(session, now)
        inbound_ids = session.scalars(
            select(Message.id).where(
                Message.direction == DIRECTION_IN, Message.status == STATUS_RECEIVED,
                Message.created_at < now - QUEUED_GRACE,
            ).order_by(Message.id).limit(SWEEP_BATCH)
        ).all()

    for inbound_id in inbound_ids:
        dispatcher.enqueue("process_inbound", (inbound_id,))
    for message_id in message_ids:
        dispatcher.enqueue("send_message", (message_id,))
    for request_id in sorted(request_ids):
        dispatcher.enqueue("route_request", (request_id,))
    for call_id in call_ids:
        dispatcher.enqueue("place_call", (call_id,))
    counts = {"inbound": len(inbound_ids), "messages": len(message_ids), "requests": len(request_ids), "stuck_sending": stuck_sending,
              "reminders": reminders, "calls": len(call_ids)}
    if any(counts.values()):
        log.info("sweep re-enqueued %(messages)s messages and %(requests)s requests "
                 "(%(stuck_sending)s stuck in sending)", counts)
    return counts


def _offered_without_pending_offer(session, now) -> set[int]:
    """Requests left "offered" with no offer still open, e.g. given back while their routing job was lost."""
    pending = select(Offer.id).where(Offer.request_id == HelpRequest.id, Offer.status == OFFER_PENDING).exists()
    return set(session.scalars(
        select(HelpRequest.id)
        .where(HelpRequest.status == STATUS_OFFERED, HelpRequest.updated_at < now - ROUTING_GRACE, ~pending)
        .order_by(HelpRequest.id).limit(SWEEP_BATCH)
    ))


def _expire_offers(session, now) -> set[int]:
    """Mark pending offers past their area's timeout expired; return the requests that need a next wave."""
    rows = session.execute(
        select(Offer, ServiceArea.offer_timeout_minutes)
        .join(HelpRequest, HelpRequest.id == Offer.request_id)
        .join(ServiceArea, ServiceArea.id == HelpRequest.area_id)
        .where(Offer.status == OFFER_PENDING, HelpRequest.status == STATUS_OFFERED)
    ).all()
    expired_requests = set()
    for offer, timeout_minutes in rows:
        if offer.sent_at <= now - timedelta(minutes=timeout_minutes):
            offer.status = OFFER_EXPIRED
            offer.answered_at = now
            expired_requests.add(offer.request_id)
    return expired_requests
