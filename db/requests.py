"""Help requests, their timeline and the offers sent to volunteers.

A request moves through these states::

    new ──> offered ──> accepted ──> done
             │  ▲          │
             │  └── (next wave, or given back)
             ▼
         escalated ──> accepted (a coordinator assigns; new and offered may be assigned too)
             └──> new (a coordinator offers it again)

    any open state ──> cancelled

Every change is a RequestEvent with time and actor, so the console can draw a
timeline and reports can compute time to acceptance and to completion.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, utcnow

STATUS_NEW = "new"  # stored, not yet sent to any volunteer
STATUS_OFFERED = "offered"  # a wave of volunteers has the offer
STATUS_ACCEPTED = "accepted"  # exactly one volunteer holds the task
STATUS_DONE = "done"  # the volunteer reported it finished
STATUS_ESCALATED = "escalated"  # no volunteer took it: a coordinator must act
STATUS_CANCELLED = "cancelled"  # by the citizen or a coordinator
OPEN_STATUSES = (STATUS_NEW, STATUS_OFFERED, STATUS_ACCEPTED, STATUS_ESCALATED)
CLOSED_STATUSES = (STATUS_DONE, STATUS_CANCELLED)

KIND_DELIVERY = "delivery"
KIND_DOCUMENT = "document"
KIND_COORDINATOR = "coordinator"  # a voice message left for staff

CHANNEL_SMS = "sms"
CHANNEL_VOICE = "voice"

OFFER_PENDING = "pending"  # sent, no answer yet
OFFER_ACCEPTED = "accepted"  # this volunteer won the task
OFFER_DECLINED = "declined"  # the volunteer said no
OFFER_TAKEN = "taken"  # someone else accepted first
OFFER_EXPIRED = "expired"  # no answer in time
OFFER_WITHDRAWN = "withdrawn"  # the request was cancelled or given back
OFFER_UNREACHABLE = "unreachable"  # the offer SMS could not be delivered


class HelpRequest(Base):
    """A citizen's request for a document or a delivery."""

    __tablename__ = "help_requests"
    __table_args__ = (
        UniqueConstraint("area_id", "number"),
        Index("ix_help_requests_status_area", "status", "area_id"),
        Index("ix_help_requests_citizen_created", "citizen_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    document_type: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=STATUS_NEW)
    channel: Mapped[str] = mapped_column(String(10), default=CHANNEL_SMS)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    offer_wave: Mapped[int] = mapped_column(default=0)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    recording_seconds: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    anonymised_at: Mapped[datetime | None]

    citizen = relationship("Citizen")
    volunteer = relationship("Volunteer")
    area = relationship("ServiceArea")


class RequestEvent(Base):
    """One step of a request's timeline: a state change or a note, with its actor."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    # "citizen:12", "volunteer:3", "coordinator:ana" or "system".
    actor: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)


class Offer(Base):
    """A request offered to one volunteer, and what became of it."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("request_id", "volunteer_id"),
        Index("ix_offers_volunteer_status", "volunteer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    wave: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default=OFFER_PENDING)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    request = relationship("HelpRequest")
    volunteer = relationship("Volunteer")
