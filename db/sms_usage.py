"""How many SMS and segments the hotline sent, per day and per kind."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.messages import DIRECTION_OUT, STATUS_DELIVERED, STATUS_SENT, STATUS_UNDELIVERED, Message

# Statuses of texts the provider accepted, which are the ones it bills.
BILLED_STATUSES = (STATUS_SENT, STATUS_DELIVERED, STATUS_UNDELIVERED)


@dataclass(frozen=True)
class UsageRow:
    day: date
    kind: str
    messages: int
    segments: int


def sms_usage(session: Session, first_day: date, last_day: date, area_id: int | None = None) -> list[UsageRow]:
    """Return sent messages and segments per UTC day and kind, first_day and last_day included."""
    start = datetime.combine(first_day, time.min, tzinfo=timezone.utc)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=timezone.utc)
    query = (
        select(Message.created_at, Message.kind, Message.segments)
        .where(
            Message.direction == DIRECTION_OUT,
            Message.status.in_(BILLED_STATUSES),
            Message.created_at >= start,
            Message.created_at < end,
        )
    )
    if area_id is not None:
        query = query.where(Message.area_id == area_id)

    # Grouping by day in Python keeps the query the same on SQLite and
    # PostgreSQL, whose date functions differ.
    totals: dict[tuple[date, str], list[int]] = {}
    for created_at, kind, segments in session.execute(query):
        key = (created_at.date(), kind)
        entry = totals.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += segments or 1
    return [UsageRow(day, kind, count, segments) for (day, kind), (count, segments) in sorted(totals.items())]

