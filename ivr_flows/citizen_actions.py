"""Carrying out what the citizen's SMS menu decided: requests, replies, settings."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.event_notes import CANCELLED_BY_SMS, CITIZEN_OPTED_OUT
from db.lifecycle import cancel_request, create_request, record_event
from db.phone_numbers import format_for_people
from db.messages import Message
from db.people import Citizen
from db.requests import OPEN_STATUSES, STATUS_ACCEPTED, STATUS_CANCELLED, STATUS_DONE, HelpRequest
from db.session import enqueue_after_commit
from ivr_flows import texts
from ivr_flows.citizen_sms import (
    AddDetails,
    CancelRequest,
    CreateRequest,
    Reply,
    SetLocale,
    SetOptOut,
    ShowStatus,
    Turn,
)
from ivr_flows.catalog import translate_plural
from ivr_flows.notifications import alert_coordinator
from ivr_flows.outgoing import citizen_locale, queue_body, text_citizen, text_volunteer
from ivr_flows.text_folding import fold

log = logging.getLogger(__name__)

ROUTE_REQUEST_JOB = "route_request"


def apply_citizen_turn(session: Session, area: ServiceArea, citizen: Citizen, turn: Turn, inbound: Message) -> None:
    """Carry out each action of a turn in order, in the caller's transaction."""
    # The confirmation of STOP is the one text an opted-out number still gets.
    confirms_stop = any(isinstance(action, SetOptOut) and action.opted_out for action in turn.actions)
    for action in turn.actions:
        if isinstance(action, Reply) and action.message == texts.HELP_CONTACT:
            _send_contact(session, area, citizen)
        elif isinstance(action, Reply):
            text_citizen(session, area, citizen, action.message, force=confirms_stop, **action.params)
        elif isinstance(action, CreateRequest):
            request = _same_open_request(session, citizen, action)
            if request is not None:
                # The same words again (a pensioner unsure the first SMS arrived,
                # or a phone that repeats) must not send volunteers out twice.
                text_citizen(session, area, citizen, texts.REQUEST_ALREADY_OPEN, request_id=request.id,
                             number=request.number)
                log.info("citizen %s repeated request %s; no new request", citizen.id, request.number)
            else:
                request = open_request(session, area, citizen, action.kind, action.details, action.document_type)
            inbound.request_id = request.id
        elif isinstance(action, AddDetails):
            _add_details(session, area, citizen, action, inbound)
        elif isinstance(action, ShowStatus):
            _reply_status(session, area, citizen, action.number)
        elif isinstance(action, CancelRequest):
            _cancel(session, area, citizen, action.number)
        elif isinstance(action, SetLocale):
            citizen.locale = action.locale
            citizen.locale_chosen = True
        elif isinstance(action, SetOptOut):
            citizen.opted_out = action.opted_out
            log.info("citizen %s opted %s", citizen.id, "out" if action.opted_out else "back in")
            if action.opted_out:
                _hand_open_requests_to_staff(session, area, citizen)
        else:
            raise TypeError(f"unknown citizen action {action!r}")


def open_request(
    session: Session, area: ServiceArea, citizen: Citizen, kind: str, details: str | None,
    document_type: str | None = None, channel: str = "sms",
) -> HelpRequest:
    """Store a request, confirm its number to the citizen and route it after commit."""
    request = create_request(session, citizen, kind, details, document_type, channel=channel)
    if channel == "sms":
        text_citizen(session, area, citizen, texts.REQUEST_RECEIVED, kind="received", request_id=request.id,
                     number=request.number)
    enqueue_after_commit(session, ROUTE_REQUEST_JOB, request.id)
    return request


def _same_open_request(session: Session, citizen: Citizen, action: CreateRequest) -> HelpRequest | None:
    """Find an open request of this citizen with the same kind and, folded for comparison, the same words."""
    folded_details = fold(action.details or "")
    candidates = session.scalars(
        select(HelpRequest).where(HelpRequest.citizen_id == citizen.id, HelpRequest.status.in_(OPEN_STATUSES),
                                  HelpRequest.kind == action.kind)
    ).all()
    return next((request for request in candidates
                 if fold(request.details or "") == folded_details and request.document_type == action.document_type), None)


def _add_details(session: Session, area: ServiceArea, citizen: Citizen, action: AddDetails, inbound: Message) -> None:
    request = session.scalar(select(HelpRequest).where(
        HelpRequest.citizen_id == citizen.id, HelpRequest.number == action.number,
        HelpRequest.area_id == area.id, HelpRequest.status.in_(OPEN_STATUSES),
    ))
    if request is None:
        # Closed between reading the message and acting on it.
        text_citizen(session, area, citizen, texts.NOT_UNDERSTOOD)
        return
    request.details = "\n".join(part for part in (request.details, action.text) if part)
    inbound.request_id = request.id
    text_citizen(session, area, citizen, texts.DETAILS_ADDED, request_id=request.id, number=request.number)
    if request.status == STATUS_ACCEPTED and request.volunteer is not None:
        text_volunteer(session, area, request.volunteer, texts.TASK_DETAILS_ADDED, request_id=request.id,
                       number=request.number, details=action.text)
    log.info("citizen %s added to request %s", citizen.id, request.number)


def _send_contact(session: Session, area: ServiceArea, citizen: Citizen) -> None:
    # Without an on-duty number there is no person to name, and the menu alone must do.
    if not area.coordinator_phone:
        return
    text_citizen(session, area, citizen, texts.HELP_CONTACT, centre=area.name,
                 phone=format_for_people(area.coordinator_phone))


def _hand_open_requests_to_staff(session: Session, area: ServiceArea, citizen: Citizen) -> None:
    # A citizen who stops SMS may still need the food they asked for, so their
    # open requests stay open and a coordinator is asked to call instead.
    open_requests = session.scalars(
        select(HelpRequest).where(HelpRequest.citizen_id == citizen.id, HelpRequest.status.in_(OPEN_STATUSES))
    ).all()
    for request in open_requests:
        record_event(session, request, None, None, f"citizen:{citizen.id}", CITIZEN_OPTED_OUT)
        alert_coordinator(session, area, texts.CITIZEN_STOPPED_COORDINATOR, request, "opt_out_alert",
                          phone=format_for_people(citizen.phone))


def _reply_status(session: Session, area: ServiceArea, citizen: Citizen, number: int | None) -> None:
    if number is not None:
        request = _find_request(session, citizen, number)
        if request is None:
            text_citizen(session, area, citizen, texts.STATUS_NOT_FOUND, number=number)
            return
        _send_status_of(session, area, citizen, request)
        return

    open_requests = session.scalars(
        select(HelpRequest)
        .where(HelpRequest.citizen_id == citizen.id, HelpRequest.status.in_(OPEN_STATUSES))
        .order_by(HelpRequest.created_at.desc())
    ).all()
    if not open_requests:
        text_citizen(session, area, citizen, texts.STATUS_NONE)
        return

    if len(open_requests) > 1:
        numbers = ", ".join(str(request.number) for request in open_requests)
        body = translate_plural(citizen_locale(area, citizen), texts.OPEN_REQUESTS, len(open_requests), numbers=numbers)
        queue_body(session, area, citizen.phone, body, "reply", citizen_id=citizen.id)
    _send_status_of(session, area, citizen, open_requests[0])


def _send_status_of(session: Session, area: ServiceArea, citizen: Citizen, request: HelpRequest) -> None:
    if request.status == STATUS_ACCEPTED:
        name = request.volunteer.name if request.volunteer else ""
        text_citizen(session, area, citizen, texts.STATUS_ACCEPTED, request_id=request.id,
                     number=request.number, volunteer=name)
    elif request.status == STATUS_DONE:
        text_citizen(session, area, citizen, texts.STATUS_DONE, request_id=request.id, number=request.number)
    elif request.status == STATUS_CANCELLED:
        text_citizen(session, area, citizen, texts.STATUS_CANCELLED, request_id=request.id, number=request.number)
    else:
        text_citizen(session, area, citizen, texts.STATUS_WAITING, request_id=request.id, number=request.number)


def _cancel(session: Session, area: ServiceArea, citizen: Citizen, number: int | None) -> None:
    if number is None:
        _explain_cancel(session, area, citizen)
        return

    request = _find_request(session, citizen, number)
    if request is None:
        text_citizen(session, area, citizen, texts.STATUS_NOT_FOUND, number=number)
        return

    volunteer = request.volunteer if request.status == STATUS_ACCEPTED else None
    if not cancel_request(session, request, f"citizen:{citizen.id}", CANCELLED_BY_SMS):
        text_citizen(session, area, citizen, texts.CANCEL_NOT_POSSIBLE, request_id=request.id, number=number)
        return

    text_citizen(session, area, citizen, texts.REQUEST_CANCELLED, request_id=request.id, number=number)
    if volunteer is not None:
        text_volunteer(session, area, volunteer, texts.TASK_CANCELLED, request_id=request.id, number=number)


def _explain_cancel(session: Session, area: ServiceArea, citizen: Citizen) -> None:
    # Cancelling needs the number, because a citizen may have several requests
    # open; the example uses their newest one.
    newest = session.scalar(
        select(HelpRequest)
        .where(HelpRequest.citizen_id == citizen.id, HelpRequest.status.in_(OPEN_STATUSES))
        .order_by(HelpRequest.created_at.desc())
        .limit(1)
    )
    if newest is None:
        text_citizen(session, area, citizen, texts.STATUS_NONE)
        return
    text_citizen(session, area, citizen, texts.CANCEL_HOW, request_id=newest.id, number=newest.number)


def _find_request(session: Session, citizen: Citizen, number: int) -> HelpRequest | None:
    # A citizen sees only their own requests, so guessing numbers reveals nothing.
    return session.scalar(
        select(HelpRequest).where(
            HelpRequest.area_id == citizen.area_id,
            HelpRequest.number == number,
            HelpRequest.citizen_id == citizen.id,
        )
    )
