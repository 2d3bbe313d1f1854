"""The routing job: choose the next wave of volunteers for a request and offer it."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.base import utcnow
from db.event_notes import NO_ACCEPT_AFTER_WAVES, NO_VOLUNTEER_AVAILABLE
from db.lifecycle import escalate_request, mark_offered
from db.people import SKILL_DELIVERY, SKILL_DOCUMENTS, Volunteer
from db.requests import OFFER_EXPIRED, OFFER_PENDING, OFFER_TAKEN, STATUS_NEW, STATUS_OFFERED, HelpRequest, Offer
from db.session import enqueue_after_commit
from db.volunteer_profiles import VolunteerProfile, is_available
from ivr_flows.catalog import LANGUAGE_OF_LOCALE, normalize_locale
from ivr_flows.notifications import announce_escalation, send_offer
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
            return _escalate(session, area, request, NO_ACCEPT_AFTER_WAVES.format(waves=request.offer_wave))

        volunteers = choose_volunteers(session, area, request)
        if not volunteers:
            return _escalate(session, area, request, NO_VOLUNTEER_AVAILABLE)

        mark_offered(session, request, volunteers)
        for volunteer in volunteers:
            send_offer(session, area, request, volunteer)
        # The sweeper also expires offers, so a lost delayed job only costs time.
        enqueue_after_commit(session, "expire_offers", request.id, request.offer_wave,
                             delay_seconds=area.offer_timeout_minutes * 60)
        log.info("request %s offered to volunteers %s (wave %s)", request.number,
                 [volunteer.id for volunteer in volunteers], request.offer_wave)
        return "offered"


def expire_offers(request_id: int, wave: int) -> str:
    """Expire the pending offers of one wave once its time is up, and route the next wave."""
    with get_context().database.session() as session:
        request = session.get(HelpRequest, request_id)
        if request is None or request.status != STATUS_OFFERED or request.offer_wave != wave:
            return "skipped"
        area = session.get(ServiceArea, request.area_id)
        deadline = utcnow() - timedelta(minutes=area.offer_timeout_minutes)
        expired = session.execute(
            update(Offer)
            .where(Offer.request_id == request_id, Offer.wave == wave, Offer.status == OFFER_PENDING,
                   Offer.sent_at <= deadline)
            .values(status=OFFER_EXPIRED, answered_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        log.info("request %s wave %s: %s offers expired", request.number, wave, expired)
    return route_request(request_id)


def _escalate(session: Session, area: ServiceArea, request: HelpRequest, reason: str) -> str:
    if escalate_request(session, request, reason):
        announce_escalation(session, area, request)
    return "escalated"


def choose_volunteers(session: Session, area: ServiceArea, request: HelpRequest) -> list[Volunteer]:
    """Return the next wave: active, not paused, within their hours, right skill and language, fewest open tasks first."""
    citizen_locale = normalize_locale(request.citizen.locale, area.default_locale)
    language = LANGUAGE_OF_LOCALE[citizen_locale]
    skill = SKILL_FOR_KIND.get(request.kind)

    # Everyone already asked is skipped, except volunteers whose offer closed
    # only because someone else took the task: after a give-back they are
    # the first people worth asking again.
    already_offered = select(Offer.volunteer_id).where(Offer.request_id == request.id, Offer.status != OFFER_TAKEN)
    conditions = [
        Volunteer.area_id == area.id,
        Volunteer.active.is_(True),
        Volunteer.paused.is_(False),
        Volunteer.id.not_in(already_offered),
        _lists_code(Volunteer.languages, language),
    ]
    if skill:
        conditions.append(_lists_code(Volunteer.skills, skill))
    query = (
        select(Volunteer, VolunteerProfile)
        .outerjoin(VolunteerProfile, VolunteerProfile.volunteer_id == Volunteer.id)
        .where(*conditions)
        # ix_volunteers_area_open_tasks yields this order, so a page costs the
        # same with twenty volunteers or a thousand.
        .order_by(Volunteer.open_tasks, Volunteer.id)
    )

    # Hours are checked in Python (windows may run past midnight), so rows are
    # read in pages until a wave is full or no candidate is left.
    local_now = utcnow().astimezone(ZoneInfo(area.time_zone))
    page_size = max(area.offer_wave_size * 4, 20)
    chosen: list[Volunteer] = []
    offset = 0
    while len(chosen) < area.offer_wave_size:
        rows = session.execute(query.limit(page_size).offset(offset)).all()
        chosen += [volunteer for volunteer, profile in rows
                   if language in volunteer.language_list and (skill is None or skill in volunteer.skill_list)
                   and is_available(profile, local_now)]
        if len(rows) < page_size:
            break
        offset += page_size
    return chosen[: area.offer_wave_size]


def _lists_code(column, code: str):
    # Languages and skills are comma lists of fixed codes ("sr,sq,en"). No
    # code contains another, so a plain LIKE on the column finds a code, and
    # each page is checked again in Python against the parsed list.
    # On the bare column, with the pattern inlined, PostgreSQL estimates the
    # match from the column's statistics and walks the open-tasks index for
    # one page. A pattern on an expression looked so rare to it that it read
    # and sorted every volunteer of the area instead.
    return column.like(literal(f"%{code}%", literal_execute=True))


def _has_pending_offers(session: Session, request: HelpRequest) -> bool:
    return session.scalar(
        select(Offer.id).where(Offer.request_id == request.id, Offer.status == OFFER_PENDING).limit(1)
    ) is not None
