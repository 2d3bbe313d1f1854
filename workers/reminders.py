"""Reminders for tasks that stay open: first to the volunteer, later to the coordinator."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    """Queue each reminder and overdue alert that is due and not yet sent; returns how many."""
    sent = 0
    rows = session.execute(
        select(HelpRequest, ServiceArea)
        .join(ServiceArea, ServiceArea.id == HelpRequest.area_id)
        .where(HelpRequest.status == STATUS_ACCEPTED)
    ).all()
    for request, area in rows:
        held_for = now - request.accepted_at
        if held_for >= timedelta(hours=area.reminder_hours) and not _already_sent(session, request, REMINDER_KIND):
            text_volunteer(session, area, request.volunteer, texts.TASK_REMINDER, kind=REMINDER_KIND,
                           request_id=request.id, number=request.number)
            sent += 1
        if held_for >= timedelta(hours=area.overdue_hours) and not _already_sent(session, request, OVERDUE_KIND):
            alert_coordinator(session, area, texts.OVERDUE_COORDINATOR, request, OVERDUE_KIND,
                              hours=area.overdue_hours, volunteer=request.volunteer.name)
            sent += 1
    if sent:
        log.info("queued %s reminders and overdue alerts", sent)
    return sent


def _already_sent(session: Session, request: HelpRequest, kind: str) -> bool:
    # The outbox row is the record that a reminder went out, so a restart or a
    # second sweeper never sends it twice.
    return session.scalar(
        select(Message.id).where(Message.request_id == request.id, Message.kind == kind).limit(1)
    ) is not None
