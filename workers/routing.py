"""The routing job: choose the next wave of volunteers for a request and offer it."""

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.lifecycle import escalate_request, mark_offered
from db.people import SKILL_DELIVERY, SKILL_DOCUMENTS, Volunteer
from db.requests import OFFER_PENDING, STATUS_ACCEPTED, STATUS_NEW, STATUS_OFFERED, HelpRequest, Offer
from ivr_flows.catalog import LANGUAGE_OF_LOCALE, normalize_locale
from ivr_flows.notifications import send_offer
from workers.context import get_context

log = logging.getLogger(__name__)

SKILL_FOR_KIND = {"document": SKILL_DOCUMENTS, "delivery": SKILL_DELIVERY}


def route_request(request_id: int) -> str:
    """Offer a new request, or one whose wave ended, to the next volunteers.

    Returns what happened: "offered", "escalated" or "skipped" (the request is
    no longer waiting, or its current wave still has pending offers).
    """
    with get_context().database.session() as session:
        request = session.get(HelpRequest, request_id, with_for_update=True)
        if request is None or request.status not in (STATUS_NEW, STATUS_OFFERED):
            return "skipped"
        if _has_pending_offers(session, request):
            return "skipped"

        area = session.get(ServiceArea, request.area_id)
        if request.offer_wave >= area.max_offer_waves:
            escalate_request(session, request, f"no volunteer accepted after {request.offer_wave} waves")
            return "escalated"

        volunteers = choose_volunteers(session, area, request)
        if not volunteers:
            escalate_request(session, request, "no available volunteer with the right skill and language")
            return "escalated"

        mark_offered(session, request, volunteers)
        for volunteer in volunteers:
            send_offer(session, area, request, volunteer)
        log.info("request %s offered to volunteers %s (wave %s)", request.number,
                 [volunteer.id for volunteer in volunteers], request.offer_wave)
        return "offered"


def choose_volunteers(session: Session, area: ServiceArea, request: HelpRequest) -> list[Volunteer]:
    """Return the next wave: active, not paused, right skill and language, fewest open tasks first."""
    citizen_locale = normalize_locale(request.citizen.locale, area.default_locale)
    language = LANGUAGE_OF_LOCALE[citizen_locale]
    skill = SKILL_FOR_KIND.get(request.kind)

    already_offered = select(Offer.volunteer_id).where(Offer.request_id == request.id)
    open_tasks = (
        select(HelpRequest.volunteer_id, func.count().label("open_tasks"))
        .where(HelpRequest.status == STATUS_ACCEPTED, HelpRequest.volunteer_id.is_not(None))
        .group_by(HelpRequest.volunteer_id)
        .subquery()
    )
    query = (
        select(Volunteer)
        .outerjoin(open_tasks, open_tasks.c.volunteer_id == Volunteer.id)
        .where(
            Volunteer.area_id == area.id,
            Volunteer.active.is_(True),
            Volunteer.paused.is_(False),
            Volunteer.id.not_in(already_offered),
        )
        .order_by(func.coalesce(open_tasks.c.open_tasks, 0), Volunteer.id)
    )
    wanted = []
    for volunteer in session.scalars(query):
        # Languages and skills are short comma lists; matching them here keeps
        # the query the same on SQLite and PostgreSQL.
        if language not in volunteer.language_list:
            continue
        if skill and skill not in volunteer.skill_list:
            continue
        wanted.append(volunteer)
        if len(wanted) >= area.offer_wave_size:
            break
    return wanted


def _has_pending_offers(session: Session, request: HelpRequest) -> bool:
    return session.scalar(
        select(Offer.id).where(Offer.request_id == request.id, Offer.status == OFFER_PENDING).limit(1)
    ) is not None
