"""Phone calls: the state of each incoming call, and outbound confirmation calls as an outbox.

An incoming call is one VoiceCall row per CallSid. Each webhook answers one
numbered turn of the call, and a VoiceCallStep per turn keeps the reply, so a
repeated webhook for a turn gets the same answer and changes nothing.

An outbound confirmation call moves through these states::

    queued ──> calling ──> completed (answered by a person or a machine)
      ▲   │       ├──> retrying ──> calling (a later try, within calling hours)
      │   │       └──> failed (tries used up, or a permanent provider error)
      │   ├──> held (no provider configured: kept for the phone simulator)
      │   └──> superseded (newer news about the same request was queued)
      └── the sweeper puts back rows left queued, or claimed but never placed

A queued or retrying row with next_attempt_at in the future waits for the
area's calling hours or for the spacing between tries.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from db.base import Base, utcnow
from db.requests import HelpRequest
from db.session import enqueue_after_commit
from db.voice_settings import AreaVoiceLanguage, AreaVoiceSettings

PLACE_CALL_JOB = "place_call"

CALL_QUEUED = "queued"  # outbox row waiting for a place_call job
CALL_CALLING = "calling"  # claimed by a worker; the provider rings the citizen
CALL_COMPLETED = "completed"  # answered by a person or a machine, as answered_by records
CALL_RETRYING = "retrying"  # unanswered, busy or a transient error, tried again at next_attempt_at
CALL_HELD = "held"  # no provider configured
CALL_FAILED = "failed"  # will not be tried again, and last_error records why
CALL_SUPERSEDED = "superseded"  # a newer call about the same request replaces it
WAITING_CALL_STATUSES = (CALL_QUEUED, CALL_RETRYING)

NEWS_ACCEPTED = "accepted"
NEWS_DONE = "done"

__all__ = ["AreaVoiceLanguage", "AreaVoiceSettings", "OutboundCall", "VoiceCall", "VoiceCallStep"]


class VoiceCall(Base):
    """One incoming call: where the caller is in the voice menu, and the request it made."""

    __tablename__ = "voice_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    # None when the caller's number is hidden or unreadable.
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"))
    # The step of the voice tree, also inside state; kept as a column for the console.
    step: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(Text, default="{}")
    # The number of the next turn the call expects; webhook URLs carry it.
    turn: Mapped[int] = mapped_column(default=0)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"))
    # The provider's final CallStatus ("completed", "busy", ...), from the status callback.
    provider_status: Mapped[str | None] = mapped_column(String(20))
    duration_seconds: Mapped[int | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    citizen = relationship("Citizen")
    area = relationship("ServiceArea")


class VoiceCallStep(Base):
    """One answered turn of a call: what the caller did and the reply the hotline gave."""

    __tablename__ = "voice_call_steps"
    __table_args__ = (UniqueConstraint("call_id", "turn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("voice_calls.id"))
    turn: Mapped[int]
    # "start", "keys 1", "silence", "recording 23s", "dial no-answer".
    event: Mapped[str] = mapped_column(String(80))
    # The reply's verbs as JSON (ivr_flows.voice_verbs), replayed for a repeated webhook.
    reply: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboundCall(Base):
    """A confirmation call that reads a citizen the news about their request."""

    __tablename__ = "outbound_calls"
    __table_args__ = (Index("ix_outbound_calls_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"))
    news: Mapped[str] = mapped_column(String(20))
    to_number: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=CALL_QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The provider's CallStatus and AnsweredBy of the latest try.
    provider_status: Mapped[str | None] = mapped_column(String(20))
    answered_by: Mapped[str | None] = mapped_column(String(30))
    duration_seconds: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    placed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    request = relationship("HelpRequest")
    citizen = relationship("Citizen")


def add_outbound_call(session: Session, request: HelpRequest, news: str) -> OutboundCall:
    """Queue a confirmation call in the caller's transaction and have it placed once it commits.

    Calls still waiting with older news about the same request are superseded,
    so a citizen whose request was accepted and done meanwhile hears only "done".
    """
    now = utcnow()
    session.execute(
        update(OutboundCall)
        .where(OutboundCall.request_id == request.id, OutboundCall.status.in_(WAITING_CALL_STATUSES))
        .values(status=CALL_SUPERSEDED, updated_at=now, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    call = OutboundCall(
        area_id=request.area_id, request_id=request.id, citizen_id=request.citizen_id, news=news,
        to_number=request.citizen.phone, status=CALL_QUEUED,
    )
    session.add(call)
    session.flush()
    enqueue_after_commit(session, PLACE_CALL_JOB, call.id)
    return call
