"""SMS messages in both directions; outbound rows are the outbox.

An outbound message moves through these states::

    queued ──> sending ──> sent ──> delivered
      ▲   │       │           └──> undelivered / failed (reported by the provider)
      │   │       ├──> retrying ──> sending (after a backoff)
      │   │       └──> failed (permanent provider error, or retries used up)
      │   └──> held (no provider configured: kept for the phone simulator)
      └── the sweeper puts back rows left in queued or sending too long

"retrying" and "failed" differ on purpose: the first will be tried again, the
second needs a person. last_error keeps the provider's reason either way.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

DIRECTION_IN = "in"
DIRECTION_OUT = "out"

STATUS_RECEIVED = "received"  # an inbound message, stored; a job has yet to act on it
STATUS_HANDLED = "handled"  # an inbound message the conversation has acted on, or flagged
STATUS_QUEUED = "queued"  # outbox row waiting for a send job
STATUS_SENDING = "sending"  # claimed by one worker
STATUS_RETRYING = "retrying"  # a transient error; next_attempt_at says when
STATUS_HELD = "held"  # no provider configured; the simulator shows it
STATUS_SENT = "sent"  # accepted by the provider
STATUS_DELIVERED = "delivered"  # the handset confirmed it
STATUS_UNDELIVERED = "undelivered"  # the network gave up
STATUS_FAILED = "failed"  # will not be sent; last_error says why
UNSENT_STATUSES = (STATUS_QUEUED, STATUS_SENDING, STATUS_RETRYING)
TASK_NOTES_WHERE = "kind IN ('reminder', 'overdue_alert')"
QUEUED_WHERE = "status = 'queued'"


class Message(Base):
    """One SMS received or to be sent, with its provider id and delivery state."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_messages_to_number", "to_number", "id"),
        # For every open task the sweeper looks up whether its reminder and
        # its overdue alert went out. This small index contains only those rows.
        Index("ix_messages_task_notes", "request_id", "kind",
              postgresql_where=text(TASK_NOTES_WHERE), sqlite_where=text(TASK_NOTES_WHERE)),
        # The send job takes the oldest queued rows as a batch. This index
        # contains only the rows waiting to be sent, in id order.
        Index("ix_messages_queued", "id", postgresql_where=text(QUEUED_WHERE), sqlite_where=text(QUEUED_WHERE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    direction: Mapped[str] = mapped_column(String(3))
    # Twilio's MessageSid for both directions; unique, so a repeated webhook is
    # noticed by the insert itself.
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    from_number: Mapped[str | None] = mapped_column(String(20))
    to_number: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    # What the text was for: "reply", "offer", "offer_taken", "confirmation", ...
    kind: Mapped[str] = mapped_column(String(30), default="reply")
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"), index=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    encoding: Mapped[str | None] = mapped_column(String(8))
    segments: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Why an inbound message was stored but not acted on ("rate_limited"), or
    # an outbound one was not sent ("daily_limit", "opted_out").
    flag: Mapped[str | None] = mapped_column(String(30))
