"""The record of each SMS gateway phone: last signs of life, alert condition, handed-over messages.

A phone's condition moves between these states, decided by the watch job::

    ok ──> silent   (no event for silence_minutes)
    ok ──> backlog  (backlog_alert or more messages waiting)
    silent / backlog ──> ok (events again, backlog drained)

Each change of condition is one alert to the coordinators, so a phone that
stays down is reported once, not every minute.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.base import Base, utcnow
from db.channels import KIND_SMSGATE, PURPOSE_SMS_OUT, AreaChannel, ChannelProvider
from db.messages import UNSENT_STATUSES, Message

CONDITION_OK = "ok"
CONDITION_SILENT = "silent"
CONDITION_BACKLOG = "backlog"

# States that SMS Gateway for Android reports for a message it accepted:
# Pending (waiting on the phone), Processed (handed to Android), Sent (the
# network accepted it), Delivered, Failed.
GATEWAY_WAITING_STATES = ("Pending", "Processed")
GATEWAY_STATE_RANK = {"Pending": 1, "Processed": 2, "Sent": 3, "Delivered": 4, "Failed": 4, "Cancelled": 4}


class GatewayPhoneState(Base):
    """The last signs of life of one SMS gateway phone and its alert condition."""

    __tablename__ = "sms_gateway_states"

    provider_id: Mapped[int] = mapped_column(ForeignKey("channel_providers.id"), primary_key=True)
    device_id: Mapped[str | None] = mapped_column(String(64))
    last_ping_at: Mapped[datetime | None]
    last_event_at: Mapped[datetime | None]
    # From the system:ping health report: "pass", "warn" or "fail", and percent.
    health_status: Mapped[str | None] = mapped_column(String(10))
    battery_level: Mapped[int | None]
    condition: Mapped[str] = mapped_column(String(10), default=CONDITION_OK)
    condition_since: Mapped[datetime] = mapped_column(default=utcnow)


class GatewayMessage(Base):
    """An outbound message handed to a gateway phone, with the state the phone last reported."""

    __tablename__ = "sms_gateway_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("channel_providers.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    # The id the app returned; not unique across phones, so the unique
    # "smsgate:<id>" form lives in messages.provider_sid.
    gateway_message_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class GatewaySummary:
    """One phone as /healthz, `hotline status` and the watch job see it."""

    name: str
    condition: str
    last_seen_at: datetime | None
    backlog: int
    battery_level: int | None

    def as_json(self, now: datetime) -> dict:
        seen = None if self.last_seen_at is None else int((now - self.last_seen_at).total_seconds())
        return {"condition": self.condition, "last_seen_seconds_ago": seen, "backlog": self.backlog,
                "battery_level": self.battery_level}


def get_state(session: Session, provider: ChannelProvider) -> GatewayPhoneState:
    """Return the phone's state row, creating it on first use."""
    state = session.get(GatewayPhoneState, provider.id)
    if state is None:
        state = GatewayPhoneState(provider_id=provider.id, condition=CONDITION_OK, condition_since=utcnow())
        session.add(state)
        session.flush()
    return state


def record_event(session: Session, provider: ChannelProvider, device_id: str | None, now: datetime | None = None) -> None:
    """Note that a signed event arrived: any event proves the phone is alive."""
    state = get_state(session, provider)
    state.last_event_at = now or utcnow()
    if device_id:
        state.device_id = device_id[:64]


def record_ping(session: Session, provider: ChannelProvider, health: dict | None, now: datetime | None = None) -> None:
    """Store a system:ping event and the battery and status from its health report."""
    state = get_state(session, provider)
    state.last_ping_at = now or utcnow()
    if not isinstance(health, dict):
        return
    status = health.get("status")
    state.health_status = status[:10] if isinstance(status, str) else None
    battery = (health.get("checks") or {}).get("battery:level") or {}
    level = battery.get("observedValue") if isinstance(battery, dict) else None
    state.battery_level = level if isinstance(level, int) else None


def record_handoff(session: Session, provider_id: int, message_id: int, gateway_message_id: str, state: str) -> None:
    session.add(GatewayMessage(provider_id=provider_id, message_id=message_id,
                               gateway_message_id=gateway_message_id[:64], state=state[:12]))


def update_handoff_state(session: Session, message_id: int, state: str) -> None:
    """Move a handed-over message to a later state; older or repeated reports change nothing."""
    row = session.scalar(select(GatewayMessage).where(GatewayMessage.message_id == message_id))
    if row is None or GATEWAY_STATE_RANK.get(state, 0) <= GATEWAY_STATE_RANK.get(row.state, 0):
        return
    row.state = state
    row.updated_at = utcnow()


def count_backlog(session: Session, provider: ChannelProvider) -> int:
    """Count messages that wait for this phone: unsent outbox rows of its areas plus rows it has not sent yet.

    The first part covers a phone whose API does not respond and one held back
    by the rate limit; the second covers a cloud-mode phone, whose server
    accepts messages while the phone itself is off.
    """
    areas = select(AreaChannel.area_id).where(AreaChannel.purpose == PURPOSE_SMS_OUT,
                                              AreaChannel.provider_id == provider.id)
    unsent = session.scalar(
        select(func.count(Message.id)).where(Message.area_id.in_(areas), Message.status.in_(UNSENT_STATUSES))
    )
    waiting_on_phone = session.scalar(
        select(func.count(GatewayMessage.id)).where(GatewayMessage.provider_id == provider.id,
                                                    GatewayMessage.state.in_(GATEWAY_WAITING_STATES))
    )
    return (unsent or 0) + (waiting_on_phone or 0)


def last_seen(provider: ChannelProvider, state: GatewayPhoneState) -> datetime | None:
    times = [moment for moment in (state.last_ping_at, state.last_event_at) if moment is not None]
    return max(times) if times else None


def judge_condition(provider: ChannelProvider, state: GatewayPhoneState, backlog: int, now: datetime) -> str:
    """Return the condition the phone is in now.

    A phone that never sent an event counts its silence from when it was
    configured, so a phone set up with a wrong webhook URL is reported too.
    """
    reference = last_seen(provider, state) or provider.created_at
    if now - reference > timedelta(minutes=provider.silence_minutes):
        return CONDITION_SILENT
    if backlog >= provider.backlog_alert:
        return CONDITION_BACKLOG
    return CONDITION_OK


def summarize_gateways(session: Session) -> list[GatewaySummary]:
    """Return every SMS gateway phone with its stored condition and current backlog."""
    summaries = []
    providers = session.scalars(
        select(ChannelProvider).where(ChannelProvider.kind == KIND_SMSGATE).order_by(ChannelProvider.name)
    )
    for provider in providers:
        state = session.get(GatewayPhoneState, provider.id)
        summaries.append(GatewaySummary(
            name=provider.name,
            condition=state.condition if state else CONDITION_OK,
            last_seen_at=last_seen(provider, state) if state else None,
            backlog=count_backlog(session, provider),
            battery_level=state.battery_level if state else None,
        ))
    return summaries
