"""Reminders for tasks that stay open: first to the volunteer, later to the coordinator."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, literal, or_, select
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

    The database returns only the tasks that still owe one, so a sweep with
    nothing due costs three SELECTs however many tasks are open.
    """
    areas = {area.id: area for area in session.scalars(select(ServiceArea))}
    if not areas:
        return 0

    sent = 0
    for request in _owing(session, areas, now, "reminder_hours", REMINDER_KIND):
        area = areas[request.area_id]
        text_volunteer(session, area, request.volunteer, texts.TASK_REMINDER, kind=REMINDER_KIND,
                       request_id=request.id, number=request.number)
        sent += 1
    for request in _owing(session, areas, now, "overdue_hours", OVERDUE_KIND):
        area = areas[request.area_id]
        # NOTE: alert_coordinator stores no outbox row in an area without a
        # coordinator phone, so this alert is counted again on every sweep.
        alert_coordinator(session, area, texts.OVERDUE_COORDINATOR, request, OVERDUE_KIND,
                          hours=area.overdue_hours, volunteer=request.volunteer.name)
        sent += 1
    if sent:
        log.info("queued %s reminders and overdue alerts", sent)
    return sent


def _owing(session: Session, areas: dict[int, ServiceArea], now: datetime, hours_setting: str,
           kind: str) -> list[HelpRequest]:
    """Accepted requests held longer than the area's setting that have no outbox row of this kind yet."""
    # The outbox row is the record that a reminder went out, so a restart or a
    # second sweeper never sends it twice. With one kind per query the NOT
    # EXISTS stays an anti-join on ix_messages_task_notes. Two kinds joined by
    # OR made PostgreSQL scan the whole messages table for each.
    # The kind is inlined so that the planner matches it to the partial index, also in a prepared statement.
    already_sent = select(Message.id).where(
        Message.request_id == HelpRequest.id, Message.kind == literal(kind, literal_execute=True)
    ).exists()
    return list(session.scalars(
        select(HelpRequest)
        .where(HelpRequest.status == STATUS_ACCEPTED, _held_long_enough(areas, now, hours_setting), ~already_sent)
        .order_by(HelpRequest.id)
        .options(selectinload(HelpRequest.volunteer))
    ).all())


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
