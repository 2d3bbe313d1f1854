"""Reminders for tasks that stay open: first to the volunteer, later to the coordinator."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Exists, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from db.areas import ServiceArea
from db.messages import Message
from db.requests import STATUS_ACCEPTED, HelpRequest
from ivr_flows import texts
from ivr_flows.notifications import alert_coordinator
from ivr_flows.outgoing import text_volunteer

log = logging.getLogger(__name__)

REMINDER_KIND = "reminder"
OVERDUE_KIND = "overdue_alert"


def send_due_reminders(session: Session, now: datetime) -> int:
    """Queue each reminder and overdue alert that is due and not yet sent, and return how many.

    When nothing is due, a sweep costs two SELECTs however many tasks are open,
    because the database filters out young tasks and those already reminded.
    """
    areas = {area.id: area for area in session.scalars(select(ServiceArea))}
    if not areas:
        return 0

    reminded = _outbox_row_exists(REMINDER_KIND)
    alerted = _outbox_row_exists(OVERDUE_KIND)
    rows = session.execute(
        select(HelpRequest, reminded, alerted)
        .where(
            HelpRequest.status == STATUS_ACCEPTED,
            or_(
                and_(_held_long_enough(areas, now, "reminder_hours"), ~reminded),
                and_(_held_long_enough(areas, now, "overdue_hours"), ~alerted),
            ),
        )
        .options(selectinload(HelpRequest.volunteer))
    ).all()

    sent = 0
    for request, reminder_sent, alert_sent in rows:
        area = areas[request.area_id]
        held_for = now - request.accepted_at
        if held_for >= timedelta(hours=area.reminder_hours) and not reminder_sent:
            text_volunteer(session, area, request.volunteer, texts.TASK_REMINDER, kind=REMINDER_KIND,
                           request_id=request.id, number=request.number)
            sent += 1
        if held_for >= timedelta(hours=area.overdue_hours) and not alert_sent:
            # NOTE: alert_coordinator stores no outbox row in an area without a
            # coordinator phone, so this alert is counted again on every sweep.
            alert_coordinator(session, area, texts.OVERDUE_COORDINATOR, request, OVERDUE_KIND,
                              hours=area.overdue_hours, volunteer=request.volunteer.name)
            sent += 1
    if sent:
        log.info("queued %s reminders and overdue alerts", sent)
    return sent


def _outbox_row_exists(kind: str) -> Exists:
    # The outbox row is the record that a reminder went out, so a restart or a
    # second sweeper never sends it twice. ix_messages_request_id serves the lookup.
    return select(Message.id).where(Message.request_id == HelpRequest.id, Message.kind == kind).exists()


def _held_long_enough(areas: dict[int, ServiceArea], now: datetime, hours_setting: str) -> ColumnElement[bool]:
    # One cutoff per area, bound as parameters, because the areas table is small
    # and interval arithmetic on a column differs between SQLite and PostgreSQL.
    return or_(*(
        and_(
            HelpRequest.area_id == area_id,
            HelpRequest.accepted_at <= now - timedelta(hours=getattr(area, hours_setting)),
        )
        for area_id, area in areas.items()
    ))
