"""Outbound messages written as outbox rows in the caller's transaction."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.messages import DIRECTION_OUT, STATUS_QUEUED, Message
from db.session import enqueue_after_commit

SEND_MESSAGE_JOB = "send_message"


@dataclass(frozen=True)
class OutboundText:
    """A rendered text for one recipient, measured for cost."""

    to_number: str
    body: str
    encoding: str
    segments: int
    kind: str = "reply"
    request_id: int | None = None
    citizen_id: int | None = None
    volunteer_id: int | None = None


def add_outbound(session: Session, area: ServiceArea, text: OutboundText) -> Message:
    """Insert an outbox row and have it sent once the transaction commits."""
    message = Message(
        area_id=area.id,
        direction=DIRECTION_OUT,
        from_number=area.sender_number,
        to_number=text.to_number,
        body=text.body,
        status=STATUS_QUEUED,
        kind=text.kind,
        request_id=text.request_id,
        citizen_id=text.citizen_id,
        volunteer_id=text.volunteer_id,
        encoding=text.encoding,
        segments=text.segments,
    )
    session.add(message)
    session.flush()
    enqueue_after_commit(session, SEND_MESSAGE_JOB, message.id)
    return message
