"""Telling everyone involved that a request changed hands or ended."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.calls import add_outbound_call
from db.messages import Message
from db.people import Volunteer
from db.phone_numbers import format_for_people
from db.requests import OFFER_TAKEN, HelpRequest, Offer
from ivr_flows import texts
from ivr_flows.catalog import normalize_locale, translate
from ivr_flows.outgoing import queue_body, text_citizen, text_volunteer

log = logging.getLogger(__name__)

# Offers go to several volunteers at once, so they carry only the start of the
# citizen's words; the one who accepts gets the whole text and the phone number.
SUMMARY_DETAILS_CHARS = 40


def summarize_request(request: HelpRequest, locale: str) -> str:
    """Return a short description of a request for an offer, in the reader's locale."""
    if request.kind == "document" and request.document_type in texts.DOCUMENT_NAMES:
        name = translate(locale, texts.DOCUMENT_NAMES[request.document_type])
    else:
        name = translate(locale, texts.SUMMARY_DELIVERY)
    details = " ".join((request.details or "").split())
    if not details:
        return name
    if len(details) > SUMMARY_DETAILS_CHARS:
        details = details[: SUMMARY_DETAILS_CHARS - 1].rstrip() + "…"
    return f"{name} ({details})"


def send_offer(session: Session, area: ServiceArea, request: HelpRequest, volunteer: Volunteer) -> None:
    locale = normalize_locale(volunteer.locale, area.default_locale)
    text_volunteer(session, area, volunteer, texts.OFFER, kind="offer", request_id=request.id,
                   number=request.number, summary=summarize_request(request, locale))


def announce_acceptance(session: Session, area: ServiceArea, request: HelpRequest, volunteer: Volunteer) -> None:
    """Confirm to the citizen, brief the winner, and tell the others it is taken."""
    if request.channel == "sms":
        text_citizen(session, area, request.citizen, texts.REQUEST_ACCEPTED, kind="confirmation",
                     request_id=request.id, number=request.number, volunteer=volunteer.name)
    else:
        enqueue_callback(session, request, "accepted")

    text_volunteer(session, area, volunteer, texts.TASK_DETAILS, kind="task", request_id=request.id,
                   number=request.number, phone=format_for_people(request.citizen.phone),
                   details=request.details or "-")

    others = session.scalars(
        select(Volunteer)
        .join(Offer, Offer.volunteer_id == Volunteer.id)
        .where(Offer.request_id == request.id, Offer.status == OFFER_TAKEN)
    ).all()
    for other in others:
        text_volunteer(session, area, other, texts.OFFER_TAKEN, kind="offer_taken", request_id=request.id,
                       number=request.number)


def announce_done(session: Session, area: ServiceArea, request: HelpRequest, volunteer: Volunteer) -> None:
    if request.channel == "sms":
        text_citizen(session, area, request.citizen, texts.REQUEST_DONE, kind="done",
                     request_id=request.id, number=request.number)
    else:
        enqueue_callback(session, request, "done")
    text_volunteer(session, area, volunteer, texts.DONE_THANKS, request_id=request.id, number=request.number)


def announce_escalation(session: Session, area: ServiceArea, request: HelpRequest) -> None:
    """Tell the citizen their request went to staff, and alert the area's coordinator."""
    # Told once: a request offered again that finds no one escalates again,
    # and the citizen needs no second "with our staff" for the same request.
    if request.channel == "sms" and not _already_sent(session, request, "escalated"):
        text_citizen(session, area, request.citizen, texts.REQUEST_ESCALATED, kind="escalated",
                     request_id=request.id, number=request.number)
    summary = summarize_request(request, area.default_locale)
    alert_coordinator(session, area, texts.ESCALATED_COORDINATOR, request, "escalation_alert", summary=summary,
                      phone=format_for_people(request.citizen.phone))


def _already_sent(session: Session, request: HelpRequest, kind: str) -> bool:
    return session.scalar(
        select(Message.id).where(Message.request_id == request.id, Message.kind == kind).limit(1)
    ) is not None


def alert_coordinator(
    session: Session, area: ServiceArea, message: str, request: HelpRequest, kind: str, **params: object
) -> None:
    """Text the area's on-duty coordinator; without one, the console's board is the only alert."""
    if not area.coordinator_phone:
        log.warning("request %s needs a coordinator but area %s has no coordinator phone", request.number, area.id)
        return
    body = translate(area.default_locale, message, number=request.number, **params)
    queue_body(session, area, area.coordinator_phone, body, kind, request_id=request.id)


def enqueue_callback(session: Session, request: HelpRequest, news: str) -> None:
    """Queue a confirmation call for a request that came in by voice; news is "accepted" or "done"."""
    # A caller who chose the phone may not read texts, so the news comes back
    # by voice, as an outbox row placed by the place_call job.
    add_outbound_call(session, request, news)
