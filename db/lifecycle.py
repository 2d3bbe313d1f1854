"""Request lifecycle transitions and their invariants.

Each function changes one request, records a RequestEvent, and leaves the
commit to the caller so that state and the outbox rows it causes are written
in one transaction.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.base import utcnow
from db.event_notes import OFFER_DECLINED, WAVE_OFFERED
from db.people import Citizen, Volunteer
from db.requests import (
    CHANNEL_SMS,
    OFFER_ACCEPTED,
    OFFER_DECLINED,
    OFFER_PENDING,
    OFFER_TAKEN,
    OFFER_WITHDRAWN,
    OPEN_STATUSES,
    STATUS_ACCEPTED,
    STATUS_CANCELLED,
    STATUS_DONE,
    STATUS_ESCALATED,
    STATUS_NEW,
    STATUS_OFFERED,
    HelpRequest,
    Offer,
    RequestEvent,
)

log = logging.getLogger(__name__)


class TransitionError(ValueError):
    """A transition that the request's current state does not allow."""


def next_request_number(session: Session, area_id: int) -> int:
    """Reserve the next short request number of an area.

    One UPDATE increments the counter, so concurrent requests in one area wait
    for each other's row lock instead of reading the same maximum.
    """
    session.execute(
        update(ServiceArea)
        .where(ServiceArea.id == area_id)
        .values(last_request_number=ServiceArea.last_request_number + 1)
    )
    return session.scalar(select(ServiceArea.last_request_number).where(ServiceArea.id == area_id))


def create_request(
    session: Session,
    citizen: Citizen,
    kind: str,
    details: str | None,
    document_type: str | None = None,
    channel: str = CHANNEL_SMS,
) -> HelpRequest:
    """Store a new request with the next number of the citizen's area."""
    request = HelpRequest(
        area_id=citizen.area_id,
        number=next_request_number(session, citizen.area_id),
        kind=kind,
        document_type=document_type,
        details=details,
        channel=channel,
        citizen_id=citizen.id,
        status=STATUS_NEW,
    )
    session.add(request)
    session.flush()
    record_event(session, request, None, STATUS_NEW, f"citizen:{citizen.id}")
    log.info("request %s created in area %s (kind=%s, channel=%s)", request.number, request.area_id, kind, channel)
    return request


def _update_if(session: Session, request: HelpRequest, conditions: list, **values) -> bool:
    """Apply values to the request only if the conditions still hold; True when the row changed.

    The conditional UPDATE is the compare-and-set behind every transition that
    two people can race for: the database lets exactly one of them change the row.
    """
    result = session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == request.id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(request)
    return result.rowcount == 1


def record_event(
    session: Session,
    request: HelpRequest,
    from_status: str | None,
    to_status: str | None,
    actor: str,
    note: str | None = None,
) -> None:
    session.add(
        RequestEvent(request_id=request.id, from_status=from_status, to_status=to_status, actor=actor, note=note)
    )


def _count_open_task(session: Session, volunteer_id: int | None, change: int) -> None:
    # Routing orders volunteers by this count. Keeping it on the volunteer row,
    # in the transaction that changes the task, saves counting every accepted
    # request of the area for each wave.
    if volunteer_id is None:
        return
    session.execute(
        update(Volunteer)
        .where(Volunteer.id == volunteer_id)
        .values(open_tasks=Volunteer.open_tasks + change)
        .execution_options(synchronize_session=False)
    )


def mark_offered(session: Session, request: HelpRequest, volunteers: list[Volunteer]) -> list[Offer]:
    """Record one wave of offers and move the request to offered."""
    if request.status not in (STATUS_NEW, STATUS_OFFERED):
        raise TransitionError(f"request {request.number} is {request.status}; only new or offered requests get offers")

    request.offer_wave += 1
    now = utcnow()
    # A volunteer whose earlier offer closed because someone else took the
    # task may be asked again after a give-back. Their row is reused, since
    # one volunteer has one offer per request.
    earlier = {} if request.offered_at is None else {offer.volunteer_id: offer for offer in session.scalars(
        select(Offer).where(Offer.request_id == request.id, Offer.volunteer_id.in_([v.id for v in volunteers]))
    )}
    offers = []
    for volunteer in volunteers:
        offer = earlier.get(volunteer.id)
        if offer is None:
            offer = Offer(request_id=request.id, volunteer_id=volunteer.id)
            session.add(offer)
        offer.wave, offer.status, offer.sent_at, offer.answered_at = request.offer_wave, OFFER_PENDING, now, None
        offers.append(offer)

    previous = request.status
    request.status = STATUS_OFFERED
    request.offered_at = request.offered_at or now
    request.updated_at = now
    session.flush()
    record_event(session, request, previous, STATUS_OFFERED, "system", WAVE_OFFERED.format(wave=request.offer_wave, count=len(offers)))
    return offers


@dataclass(frozen=True)
class AcceptOutcome:
    """The result of a volunteer's attempt to take a request."""

    won: bool
    # "accepted", "already_taken", "already_yours", "not_offered" or "closed".
    reason: str
    request: HelpRequest | None


def accept_request(session: Session, request: HelpRequest, volunteer: Volunteer) -> AcceptOutcome:
    """Give the request to this volunteer unless another volunteer already has it.

    The conditional UPDATE is the compare-and-set: when two volunteers answer
    at once, the database lets exactly one row count be 1.
    """
    offer = session.scalar(select(Offer).where(Offer.request_id == request.id, Offer.volunteer_id == volunteer.id))
    if offer is None:
        return AcceptOutcome(False, "not_offered", request)

    now = utcnow()
    changed = _update_if(
        session, request, [HelpRequest.status.in_((STATUS_OFFERED, STATUS_ESCALATED))],
        status=STATUS_ACCEPTED, volunteer_id=volunteer.id, accepted_at=now, updated_at=now,
    )
    if not changed:
        return _explain_lost_accept(request, volunteer)

    offer.status = OFFER_ACCEPTED
    offer.answered_at = now
    _count_open_task(session, volunteer.id, 1)
    session.execute(
        update(Offer)
        .where(Offer.request_id == request.id, Offer.id != offer.id, Offer.status == OFFER_PENDING)
        .values(status=OFFER_TAKEN)
        .execution_options(synchronize_session=False)
    )
    record_event(session, request, STATUS_OFFERED, STATUS_ACCEPTED, f"volunteer:{volunteer.id}")
    log.info("request %s accepted by volunteer %s", request.number, volunteer.id)
    return AcceptOutcome(True, "accepted", request)


def _explain_lost_accept(request: HelpRequest, volunteer: Volunteer) -> AcceptOutcome:
    if request.status == STATUS_ACCEPTED and request.volunteer_id == volunteer.id:
        return AcceptOutcome(False, "already_yours", request)
    if request.status in (STATUS_ACCEPTED, STATUS_DONE):
        return AcceptOutcome(False, "already_taken", request)
    return AcceptOutcome(False, "closed", request)


def decline_offer(session: Session, request: HelpRequest, volunteer: Volunteer) -> bool:
    """Record a volunteer's no. Returns False when there was no pending offer."""
    offer = session.scalar(
        select(Offer).where(
            Offer.request_id == request.id, Offer.volunteer_id == volunteer.id, Offer.status == OFFER_PENDING
        )
    )
    if offer is None:
        return False

    offer.status = OFFER_DECLINED
    offer.answered_at = utcnow()
    record_event(session, request, None, None, f"volunteer:{volunteer.id}", OFFER_DECLINED)
    return True


def complete_request(session: Session, request: HelpRequest, volunteer: Volunteer) -> bool:
    """Close a request as done. Only its assigned volunteer can; returns False otherwise."""
    return _mark_done(session, request, volunteer.id, f"volunteer:{volunteer.id}")


def _mark_done(session: Session, request: HelpRequest, volunteer_id: int | None, actor: str) -> bool:
    # Conditional on the assigned volunteer, so a task given back or reassigned
    # meanwhile is not closed by a stale "done".
    now = utcnow()
    changed = _update_if(
        session, request, [HelpRequest.status == STATUS_ACCEPTED, HelpRequest.volunteer_id == volunteer_id],
        status=STATUS_DONE, done_at=now, updated_at=now,
    )
    if not changed:
        return False

    _count_open_task(session, volunteer_id, -1)
    record_event(session, request, STATUS_ACCEPTED, STATUS_DONE, actor)
    log.info("request %s done, closed by %s", request.number, actor)
    return True


def escalate_request(session: Session, request: HelpRequest, reason: str) -> bool:
    """Hand a request that no volunteer took to the coordinators."""
    if request.status not in (STATUS_NEW, STATUS_OFFERED):
        return False

    previous = request.status
    now = utcnow()
    request.status = STATUS_ESCALATED
    request.escalated_at = now
    request.updated_at = now
    _withdraw_pending_offers(session, request)
    record_event(session, request, previous, STATUS_ESCALATED, "system", reason)
    log.info("request %s escalated: %s", request.number, reason)
    return True


def cancel_request(session: Session, request: HelpRequest, actor: str, reason: str | None = None) -> bool:
    """Cancel an open request. Returns False when it was already closed."""
    if request.status not in OPEN_STATUSES:
        return False

    # Conditional on the status read, so a task closed or taken meanwhile is
    # neither cancelled over nor counted off its volunteer twice.
    previous = request.status
    now = utcnow()
    changed = _update_if(
        session, request, [HelpRequest.status == previous],
        status=STATUS_CANCELLED, cancelled_at=now, updated_at=now,
    )
    if not changed:
        return False

    _withdraw_pending_offers(session, request)
    if previous == STATUS_ACCEPTED:
        _count_open_task(session, request.volunteer_id, -1)
    record_event(session, request, previous, STATUS_CANCELLED, actor, reason)
    log.info("request %s cancelled by %s", request.number, actor)
    return True


def _withdraw_pending_offers(session: Session, request: HelpRequest) -> None:
    session.execute(
        update(Offer)
        .where(Offer.request_id == request.id, Offer.status == OFFER_PENDING)
        .values(status=OFFER_WITHDRAWN)
        .execution_options(synchronize_session=False)
    )


def give_back_request(session: Session, request: HelpRequest, volunteer: Volunteer, reason: str) -> bool:
    """Return an accepted task to the pool so it is offered again; False if the volunteer did not hold it."""
    now = utcnow()
    changed = _update_if(
        session, request, [HelpRequest.status == STATUS_ACCEPTED, HelpRequest.volunteer_id == volunteer.id],
        # A new round of waves: the task may have been taken in the last wave.
        status=STATUS_OFFERED, volunteer_id=None, accepted_at=None, updated_at=now, offer_wave=0,
    )
    if not changed:
        return False

    session.execute(
        update(Offer)
        .where(Offer.request_id == request.id, Offer.volunteer_id == volunteer.id)
        .values(status=OFFER_WITHDRAWN, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    _count_open_task(session, volunteer.id, -1)
    record_event(session, request, STATUS_ACCEPTED, STATUS_OFFERED, f"volunteer:{volunteer.id}", reason)
    log.info("request %s given back by volunteer %s: %s", request.number, volunteer.id, reason)
    return True


# Statuses from which a coordinator may hand a request to a volunteer directly.
ASSIGNABLE_STATUSES = (STATUS_NEW, STATUS_OFFERED, STATUS_ESCALATED)


def assign_request(session: Session, request: HelpRequest, volunteer: Volunteer, actor: str) -> bool:
    """Give a waiting request to a volunteer chosen by a coordinator.

    The conditional UPDATE is a compare-and-set against volunteers accepting
    by SMS at the same moment. The first UPDATE to change the row wins, and
    this returns False when the request was no longer waiting.
    """
    previous = request.status
    now = utcnow()
    changed = _update_if(
        session, request, [HelpRequest.status.in_(ASSIGNABLE_STATUSES)],
        status=STATUS_ACCEPTED, volunteer_id=volunteer.id, accepted_at=now, updated_at=now,
    )
    if not changed:
        return False

    # The assignment is stored as an accepted offer, so the volunteer's SMS
    # commands and the timeline treat it like a task taken by SMS.
    offer = session.scalar(select(Offer).where(Offer.request_id == request.id, Offer.volunteer_id == volunteer.id))
    if offer is None:
        offer = Offer(request_id=request.id, volunteer_id=volunteer.id, wave=request.offer_wave, sent_at=now)
        session.add(offer)
    offer.status = OFFER_ACCEPTED
    offer.answered_at = now
    session.execute(
        update(Offer)
        .where(Offer.request_id == request.id, Offer.volunteer_id != volunteer.id, Offer.status == OFFER_PENDING)
        .values(status=OFFER_TAKEN)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    _count_open_task(session, volunteer.id, 1)
    # The note names the volunteer in actor form, so the console can show their name.
    record_event(session, request, previous, STATUS_ACCEPTED, actor, f"volunteer:{volunteer.id}")
    log.info("request %s assigned to volunteer %s by %s", request.number, volunteer.id, actor)
    return True


def reoffer_request(session: Session, request: HelpRequest, actor: str) -> bool:
    """Put an escalated request back in the queue with a fresh count of offer waves.

    The caller enqueues the routing job. Volunteers who already had an offer
    for this request are not asked again, because routing skips them.
    """
    changed = _update_if(
        session, request, [HelpRequest.status == STATUS_ESCALATED],
        status=STATUS_NEW, offer_wave=0, updated_at=utcnow(),
    )
    if not changed:
        return False

    record_event(session, request, STATUS_ESCALATED, STATUS_NEW, actor)
    log.info("request %s offered again by %s", request.number, actor)
    return True


def close_request(session: Session, request: HelpRequest, actor: str) -> bool:
    """Mark an accepted request done on its volunteer's behalf; False unless it was accepted."""
    return _mark_done(session, request, request.volunteer_id, actor)
