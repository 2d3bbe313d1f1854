"""Delivery statuses reported by the provider, applied so that they only move forward."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.messages import STATUS_DELIVERED, STATUS_FAILED, STATUS_SENT, STATUS_UNDELIVERED, Message

log = logging.getLogger(__name__)

# Callbacks arrive out of order and more than once; a status is applied only
# when it ranks higher than the stored one, so "sent" never overwrites "delivered".
STATUS_RANK = {
    "accepted": 1, "queued": 1, "sending": 2, "sent": 3,
    "delivered": 4, "read": 4, "undelivered": 4, "failed": 4,
}
PROVIDER_STATUS_TO_OURS = {
    "accepted": STATUS_SENT, "queued": STATUS_SENT, "sending": STATUS_SENT, "sent": STATUS_SENT,
    "delivered": STATUS_DELIVERED, "read": STATUS_DELIVERED,
    "undelivered": STATUS_UNDELIVERED, "failed": STATUS_FAILED,
}


def apply_delivery_status(session: Session, sid: str, provider_status: str, error_code: str | None) -> str:
    """Store a reported status on the message with this provider id.

    Returns "updated", "stale" (an older or equal status) or "unknown" (no such message).
    """
    ours = PROVIDER_STATUS_TO_OURS.get(provider_status)
    message = session.scalar(select(Message).where(Message.provider_sid == sid))
    if message is None or ours is None:
        return "unknown"

    if STATUS_RANK[provider_status] <= STATUS_RANK.get(message.status, 0):
        return "stale"

    message.status = ours
    message.updated_at = utcnow()
    if error_code:
        message.last_error = f"provider error code {error_code}"
    log.info("message %s is now %s", message.id, ours)
    return "updated"
