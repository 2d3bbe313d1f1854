"""Where a person stands in a multi-step SMS menu."""

import json
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.base import Base, utcnow

# A menu left unanswered this long starts over: a pensioner who texts again the
# next day means something new, not the answer to yesterday's question.
CONVERSATION_TIMEOUT = timedelta(minutes=30)


class ConversationState(Base):
    """The open menu step of one phone number in one area."""

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("area_id", "phone", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    phone: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10), default="sms")
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def load_conversation(session: Session, area_id: int, phone: str) -> tuple[str | None, dict]:
    """Return the open step and its data, or (None, {}) when none is open or it went stale."""
    row = _find(session, area_id, phone)
    if row is None or utcnow() - row.updated_at > CONVERSATION_TIMEOUT:
        return None, {}
    return row.step, json.loads(row.data or "{}")


def save_conversation(session: Session, area_id: int, phone: str, step: str | None, data: dict) -> None:
    """Store the next step, or remove the row when the conversation ended."""
    row = _find(session, area_id, phone)
    if step is None:
        if row is not None:
            session.delete(row)
        return

    if row is None:
        row = ConversationState(area_id=area_id, phone=phone, step=step)
        session.add(row)
    row.step = step
    row.data = json.dumps(data, ensure_ascii=False)
    row.updated_at = utcnow()


def _find(session: Session, area_id: int, phone: str) -> ConversationState | None:
    return session.scalar(
        select(ConversationState).where(
            ConversationState.area_id == area_id,
            ConversationState.phone == phone,
            ConversationState.channel == "sms",
        )
    )
