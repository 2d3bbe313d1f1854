"""Reading the date filters of console pages in an area's local time."""

from datetime import date, datetime, time, timedelta

from gateway.console.pages import zone


def parse_day(value: str | None) -> date | None:
    """Read an ISO date (YYYY-MM-DD) from a form; None when empty. Raises ValueError when invalid."""
    text = (value or "").strip()
    if not text:
        return None
    return date.fromisoformat(text)


def day_range(first: date | None, last: date | None, time_zone: str | None) -> tuple[datetime | None, datetime | None]:
    """Return the UTC bounds [start, end) of local days first to last, both included."""
    tz = zone(time_zone)
    start = datetime.combine(first, time.min, tzinfo=tz) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz) if last else None
    return start, end
