"""Anonymising closed requests once an area's retention period has passed."""

import logging
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.base import utcnow
from db.messages import Message
from db.requests import CLOSED_STATUSES, HelpRequest

log = logging.getLogger(__name__)

REDACTED = "[removed]"


def purge_closed_requests(session: Session) -> dict[int, int]:
    """Remove personal data from closed (done or cancelled) requests older than their area's retention.

    Free text, recording addresses and message bodies go; kinds, statuses,
    timestamps and segment counts stay, so reports still add up. Returns the
    number of requests anonymised per area id.
    """
    now = utcnow()
    counts = {}
    for area in session.scalars(select(ServiceArea)):
        cutoff = now - timedelta(days=area.retention_days)
        request_ids = session.scalars(
            select(HelpRequest.id).where(
                HelpRequest.area_id == area.id,
                HelpRequest.status.in_(CLOSED_STATUSES),
                HelpRequest.anonymised_at.is_(None),
                func.coalesce(HelpRequest.done_at, HelpRequest.cancelled_at) <= cutoff,
            )
        ).all()
        if not request_ids:
            continue
        session.execute(
            update(HelpRequest)
            .where(HelpRequest.id.in_(request_ids))
            .values(details=REDACTED, recording_url=None, anonymised_at=now)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Message)
            .where(Message.request_id.in_(request_ids))
            .values(body=REDACTED)
            .execution_options(synchronize_session=False)
        )
        counts[area.id] = len(request_ids)
        log.info("anonymised %s closed requests in area %s (older than %s days)", len(request_ids), area.id,
                 area.retention_days)
    return counts

