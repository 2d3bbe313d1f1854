"""A volunteer's SMS commands: accept, decline, done, status, pause, resume."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.lifecycle import accept_request, complete_request, decline_offer
from db.messages import Message
from db.people import Volunteer
from db.requests import OFFER_PENDING, STATUS_ACCEPTED, STATUS_ESCALATED, STATUS_OFFERED, HelpRequest, Offer
from db.session import enqueue_after_commit
from ivr_flows import texts
from ivr_flows.catalog import normalize_locale, translate
from ivr_flows.notifications import announce_acceptance, announce_done
from ivr_flows.outgoing import text_volunteer
from ivr_flows.understanding import read_citizen_text, read_volunteer_text
from ivr_flows.volunteer_availability import pause_volunteer

log = logging.getLogger(__name__)

ROUTE_REQUEST_JOB = "route_request"
LOST_ACCEPT_TEXTS = {
    "already_taken": texts.ALREADY_TAKEN,
    "already_yours": texts.ALREADY_YOURS,
    "not_offered": texts.NOT_OFFERED,
    "closed": texts.REQUEST_CLOSED,
}


def pick_request_number(given: int | None, candidates: list[int]) -> int | None:
    """Return the request a command means: the number given, or the only candidate."""
    if given is not None:
        return given
    if len(candidates) == 1:
        return candidates[0]
    return None


def handle_volunteer_text(session: Session, area: ServiceArea, volunteer: Volunteer, body: str) -> None:
    """Act on one volunteer SMS and queue the replies."""
    command = read_volunteer_text(body)
    name = command.command
    if name == "unknown" and read_citizen_text(body).intent == "stop":
        # STOP must always work; for a volunteer it means a break with tasks given back.
        name = "pause"

    if name == "accept":
        _accept(session, area, volunteer, command.request_number)
    elif name == "decline":
        _decline(session, area, volunteer, command.request_number)
    elif name == "done":
        _done(session, area, volunteer, command.request_number)
    elif name == "status":
        _status(session, area, volunteer)
    elif name == "pause":
        pause_volunteer(session, area, volunteer)
        text_volunteer(session, area, volunteer, texts.PAUSED)
    elif name == "resume":
        volunteer.paused = False
        text_volunteer(session, area, volunteer, texts.RESUMED)
    else:
        text_volunteer(session, area, volunteer, texts.VOLUNTEER_HELP)
    log.info("volunteer %s sent command %s for request %s", volunteer.id, name, command.request_number)


def _accept(session: Session, area: ServiceArea, volunteer: Volunteer, given: int | None) -> None:
    request = _target(session, area, volunteer, given, _pending_offer_numbers(session, volunteer))
    if request is None:
        return

    outcome = accept_request(session, request, volunteer)
    if outcome.won:
        announce_acceptance(session, area, request, volunteer)
        return
    if outcome.reason == "already_taken" and _was_sent_taken_notice(session, request, volunteer):
        # The winner's announcement already states this; a second text would only cost money.
        return
    text_volunteer(session, area, volunteer, LOST_ACCEPT_TEXTS[outcome.reason], request_id=request.id,
                   number=request.number)


def _decline(session: Session, area: ServiceArea, volunteer: Volunteer, given: int | None) -> None:
    request = _target(session, area, volunteer, given, _pending_offer_numbers(session, volunteer))
    if request is None:
        return

    if not decline_offer(session, request, volunteer):
        text_volunteer(session, area, volunteer, texts.NOT_OFFERED, request_id=request.id, number=request.number)
        return
    text_volunteer(session, area, volunteer, texts.DECLINED, request_id=request.id, number=request.number)
    if not _has_pending_offers(session, request):
        # Everyone in this wave said no: the next wave need not wait for the timer.
        enqueue_after_commit(session, ROUTE_REQUEST_JOB, request.id)


def _done(session: Session, area: ServiceArea, volunteer: Volunteer, given: int | None) -> None:
    request = _target(session, area, volunteer, given, _task_numbers(session, volunteer))
    if request is None:
        return

    if not complete_request(session, request, volunteer):
        if request.volunteer_id != volunteer.id:
            text_volunteer(session, area, volunteer, texts.NOT_YOUR_TASK, request_id=request.id, number=request.number)
        else:
            text_volunteer(session, area, volunteer, texts.REQUEST_CLOSED, request_id=request.id, number=request.number)
        return
    announce_done(session, area, request, volunteer)


def _status(session: Session, area: ServiceArea, volunteer: Volunteer) -> None:
    offers = _pending_offer_numbers(session, volunteer)
    tasks = _task_numbers(session, volunteer)
    note = texts.VOLUNTEER_PAUSED_NOTE if volunteer.paused else texts.VOLUNTEER_ACTIVE_NOTE
    paused = translate(normalize_locale(volunteer.locale, area.default_locale), note)
    text_volunteer(session, area, volunteer, texts.VOLUNTEER_STATUS,
                   offers=_list_numbers(offers), tasks=_list_numbers(tasks), paused=paused)


def _target(
    session: Session, area: ServiceArea, volunteer: Volunteer, given: int | None, candidates: list[int]
) -> HelpRequest | None:
    """Find the request a command is about, or reply with what is missing."""
    number = pick_request_number(given, candidates)
    if number is None:
        if not candidates:
            text_volunteer(session, area, volunteer, texts.NO_OFFER)
        else:
            text_volunteer(session, area, volunteer, texts.WHICH_REQUEST, number=candidates[0])
        return None

    request = session.scalar(select(HelpRequest).where(HelpRequest.area_id == area.id, HelpRequest.number == number))
    if request is None:
        text_volunteer(session, area, volunteer, texts.NOT_OFFERED, number=number)
    return request


def _was_sent_taken_notice(session: Session, request: HelpRequest, volunteer: Volunteer) -> bool:
    return session.scalar(
        select(Message.id).where(
            Message.request_id == request.id, Message.volunteer_id == volunteer.id, Message.kind == "offer_taken"
        ).limit(1)
    ) is not None


def _pending_offer_numbers(session: Session, volunteer: Volunteer) -> list[int]:
    return list(session.scalars(
        select(HelpRequest.number)
        .join(Offer, Offer.request_id == HelpRequest.id)
        .where(
            Offer.volunteer_id == volunteer.id,
            Offer.status == OFFER_PENDING,
            HelpRequest.status.in_((STATUS_OFFERED, STATUS_ESCALATED)),
        )
        .order_by(HelpRequest.number)
    ))


def _task_numbers(session: Session, volunteer: Volunteer) -> list[int]:
    return list(session.scalars(
        select(HelpRequest.number)
        .where(HelpRequest.volunteer_id == volunteer.id, HelpRequest.status == STATUS_ACCEPTED)
        .order_by(HelpRequest.number)
    ))


def _has_pending_offers(session: Session, request: HelpRequest) -> bool:
    return session.scalar(
        select(Offer.id).where(Offer.request_id == request.id, Offer.status == OFFER_PENDING).limit(1)
    ) is not None


def _list_numbers(numbers: list[int]) -> str:
    return ", ".join(str(number) for number in numbers) if numbers else "0"
