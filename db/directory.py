"""Finding the people behind a phone number."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.people import Citizen, Volunteer


def find_volunteer(session: Session, area_id: int, phone: str) -> Volunteer | None:
    """Return the volunteer with this number in the area, removed ones excluded."""
    return session.scalar(
        select(Volunteer).where(Volunteer.area_id == area_id, Volunteer.phone == phone, Volunteer.active.is_(True))
    )


def get_or_create_citizen(session: Session, area_id: int, phone: str) -> Citizen:
    """Return the citizen with this number in the area, creating one on first contact."""
    citizen = _find_citizen(session, area_id, phone)
    if citizen is not None:
        return citizen

    # Two first messages from one new number can arrive together; the loser of
    # the unique constraint reads the winner's row.
    try:
        with session.begin_nested():
            citizen = Citizen(area_id=area_id, phone=phone)
            session.add(citizen)
    except IntegrityError:
        citizen = _find_citizen(session, area_id, phone)
    return citizen


def _find_citizen(session: Session, area_id: int, phone: str) -> Citizen | None:
    return session.scalar(select(Citizen).where(Citizen.area_id == area_id, Citizen.phone == phone))
