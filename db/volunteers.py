"""Adding, listing, pausing and removing volunteers."""

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.people import LANGUAGES, SKILLS, Volunteer
from db.phone_numbers import mask_phone, normalize_phone
from db.requests import STATUS_ACCEPTED, HelpRequest

log = logging.getLogger(__name__)

LOCALE_FOR_LANGUAGE = {"sr": "sr_Latn", "sq": "sq", "en": "en"}


class VolunteerError(ValueError):
    """A volunteer change that cannot be made, with a message for the operator."""


def parse_codes(value: str, allowed: tuple[str, ...], what: str) -> list[str]:
    """Split "sr, sq" into ["sr", "sq"], rejecting codes outside allowed."""
    codes = [code.strip().lower() for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in allowed]
    if unknown or not codes:
        raise VolunteerError(f"invalid {what} {value!r}: use a comma list of {', '.join(allowed)}")
    return codes


def add_volunteer(
    session: Session, area: ServiceArea, name: str, phone: str, languages: str, skills: str
) -> Volunteer:
    """Register a volunteer; the first language sets the language of their texts."""
    e164 = normalize_phone(phone, area.country)
    language_list = parse_codes(languages, LANGUAGES, "languages")
    skill_list = parse_codes(skills, SKILLS, "skills")
    existing = find_by_phone(session, area, e164)
    if existing is not None:
        raise VolunteerError(f"a volunteer with phone {mask_phone(e164)} already exists (id {existing.id})")

    volunteer = Volunteer(
        area_id=area.id, name=name.strip(), phone=e164, languages=",".join(language_list),
        skills=",".join(skill_list), locale=LOCALE_FOR_LANGUAGE[language_list[0]],
    )
    session.add(volunteer)
    session.flush()
    log.info("volunteer %s added in area %s (%s)", volunteer.id, area.id, mask_phone(e164))
    return volunteer


def find_by_phone(session: Session, area: ServiceArea, phone: str) -> Volunteer | None:
    return session.scalar(select(Volunteer).where(Volunteer.area_id == area.id, Volunteer.phone == phone))


def find_volunteer_by_reference(session: Session, area: ServiceArea, reference: str) -> Volunteer:
    """Find a volunteer by id or phone number, or raise VolunteerError."""
    volunteer = None
    if reference.isdigit() and len(reference) < 7:
        volunteer = session.get(Volunteer, int(reference))
    else:
        volunteer = find_by_phone(session, area, normalize_phone(reference, area.country))
    if volunteer is None or volunteer.area_id != area.id:
        raise VolunteerError(f"no volunteer {reference!r} in area {area.slug}: check `hotline volunteer list`")
    return volunteer


def list_volunteers(session: Session, area: ServiceArea) -> list[tuple[Volunteer, int]]:
    """Return every volunteer of the area with their count of open tasks."""
    open_tasks = (
        select(HelpRequest.volunteer_id, func.count().label("tasks"))
        .where(HelpRequest.status == STATUS_ACCEPTED)
        .group_by(HelpRequest.volunteer_id)
        .subquery()
    )
    rows = session.execute(
        select(Volunteer, func.coalesce(open_tasks.c.tasks, 0))
        .outerjoin(open_tasks, open_tasks.c.volunteer_id == Volunteer.id)
        .where(Volunteer.area_id == area.id)
        .order_by(Volunteer.id)
    ).all()
    return [(volunteer, tasks) for volunteer, tasks in rows]
