"""Telling everyone involved that a request changed hands or ended."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.people import Volunteer
from db.phone_numbers import format_for_people
from db.requests import OFFER_TAKEN, HelpRequest, Offer
from ivr_flows import texts
from ivr_flows.catalog import normalize_locale, translate
from ivr_flows.outgoing import text_citizen, text_volunteer

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


def enqueue_callback(session: Session, request: HelpRequest, news: str) -> None:
    """Queue a confirmation call for a request that came in by voice."""
    # TODO: place confirmation calls for voice requests; until then the citizen gets an SMS.
    text_citizen(session, request.area, request.citizen,
                 texts.REQUEST_ACCEPTED if news == "accepted" else texts.REQUEST_DONE,
                 kind="confirmation", request_id=request.id, number=request.number,
                 volunteer=request.volunteer.name if request.volunteer else "")
