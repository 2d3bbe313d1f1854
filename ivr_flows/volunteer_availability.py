"""A volunteer going on a break or leaving: their tasks go back to the pool."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.event_notes import VOLUNTEER_PAUSED, VOLUNTEER_REMOVED
from db.lifecycle import give_back_request
from db.people import Volunteer
from db.requests import STATUS_ACCEPTED, HelpRequest
from db.session import enqueue_after_commit

log = logging.getLogger(__name__)

ROUTE_REQUEST_JOB = "route_request"


def release_tasks(session: Session, volunteer: Volunteer, reason: str) -> list[int]:
    """Give back every accepted task of a volunteer and have each offered again; returns the request numbers."""
    requests = session.scalars(
        select(HelpRequest).where(HelpRequest.volunteer_id == volunteer.id, HelpRequest.status == STATUS_ACCEPTED)
    ).all()
    numbers = []
    for request in requests:
        if give_back_request(session, request, volunteer, reason):
            enqueue_after_commit(session, ROUTE_REQUEST_JOB, request.id)
            numbers.append(request.number)
    return numbers


def pause_volunteer(session: Session, area: ServiceArea, volunteer: Volunteer) -> list[int]:
    volunteer.paused = True
    return release_tasks(session, volunteer, VOLUNTEER_PAUSED)


def remove_volunteer(session: Session, area: ServiceArea, volunteer: Volunteer) -> list[int]:
    volunteer.active = False
    return release_tasks(session, volunteer, VOLUNTEER_REMOVED)
