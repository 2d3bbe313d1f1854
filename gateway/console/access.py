"""What a coordinator may open: only requests and volunteers of their own areas.

Anything outside them returns 404, the same as a record that does not exist,
so a guessed URL reveals nothing about other areas.
"""

from flask import abort, g
from sqlalchemy.orm import Session

from db.people import Volunteer
from db.requests import HelpRequest


def area_ids_to_show(requested: str | None) -> list[int]:
    """Return the areas a page covers: the one asked for, or every visible one."""
    coordinator = g.coordinator
    if requested:
        if not requested.isdigit() or int(requested) not in coordinator.area_ids:
            abort(404)
        return [int(requested)]
    return sorted(coordinator.area_ids)


def get_request_or_404(db: Session, request_id: int, for_update: bool = False) -> HelpRequest:
    """Load a request of the coordinator's areas.

    for_update locks the row on PostgreSQL, so an action decided on the state
    read here cannot overwrite a volunteer's SMS reply that arrives meanwhile.
    """
    request = db.get(HelpRequest, request_id, with_for_update=for_update or None)
    if request is None or request.area_id not in g.coordinator.area_ids:
        abort(404)
    return request


def get_volunteer_or_404(db: Session, volunteer_id: int) -> Volunteer:
    volunteer = db.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.area_id not in g.coordinator.area_ids:
        abort(404)
    return volunteer
