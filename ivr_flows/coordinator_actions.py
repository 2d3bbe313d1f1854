"""What a coordinator's action in the console changes, and who gets an SMS about it.

Each function runs in the caller's transaction, so the state change and the
outbox rows it causes commit together, and returns False when the request
was no longer in a state that allows the action.
"""

import logging

from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.lifecycle import assign_request, cancel_request, close_request, record_event, reoffer_request
from db.people import Volunteer
from db.requests import STATUS_ACCEPTED, HelpRequest
from db.session import enqueue_after_commit
from ivr_flows import texts
from ivr_flows.notifications import announce_acceptance, announce_done
from ivr_flows.outgoing import text_citizen, text_volunteer

log = logging.getLogger(__name__)

ROUTE_REQUEST_JOB = "route_request"


def assign_to_volunteer(session: Session, request: HelpRequest, volunteer: Volunteer, actor: str) -> bool:
    """Give the request to a volunteer; they get the task, the citizen the good news, other offers end."""
    if volunteer.area_id != request.area_id or not volunteer.active:
        raise ValueError(f"volunteer {volunteer.id} cannot take request {request.id}: not an active volunteer of its area")
    if not assign_request(session, request, volunteer, actor):
        return False

    area = session.get(ServiceArea, request.area_id)
    announce_acceptance(session, area, request, volunteer)
    return True


def offer_again(session: Session, request: HelpRequest, actor: str) -> bool:
    """Send an escalated request to the volunteers who have not been asked yet."""
    if not reoffer_request(session, request, actor):
        return False

    enqueue_after_commit(session, ROUTE_REQUEST_JOB, request.id)
    return True


def mark_done(session: Session, request: HelpRequest, actor: str) -> bool:
    """Close an accepted request; the citizen and the volunteer get the texts of a completion by SMS."""
    volunteer = request.volunteer
    if volunteer is None or not close_request(session, request, actor):
        return False

    announce_done(session, session.get(ServiceArea, request.area_id), request, volunteer)
    return True


def cancel_by_coordinator(session: Session, request: HelpRequest, actor: str, reason: str) -> bool:
    """Cancel an open request with a reason; the citizen and an assigned volunteer get an SMS."""
    volunteer = request.volunteer if request.status == STATUS_ACCEPTED else None
    if not cancel_request(session, request, actor, reason):
        return False

    area = session.get(ServiceArea, request.area_id)
    text_citizen(session, area, request.citizen, texts.REQUEST_CANCELLED, kind="cancelled", request_id=request.id,
                 number=request.number)
    if volunteer is not None:
        text_volunteer(session, area, volunteer, texts.TASK_CANCELLED_BY_STAFF, kind="task_cancelled",
                       request_id=request.id, number=request.number)
    return True


def add_note(session: Session, request: HelpRequest, actor: str, note: str) -> None:
    """Add a coordinator's note to the request's timeline."""
    record_event(session, request, None, None, actor, note)
    log.info("note added to request %s by %s", request.number, actor)
