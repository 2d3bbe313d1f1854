"""Weekly opening hours ("08:00-16:00" on days "1-5") read in an area's time zone.

Office hours decide whether a caller can be put through to a person; calling
hours decide when the hotline may call a citizen back.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DAY_RANGE = re.compile(r"^\s*([1-7])\s*(?:-\s*([1-7]))?\s*$")
# Looking further ahead than a week can only mean that no day is open.
_SEARCH_DAYS = 8


class InvalidHours(ValueError):
    """Opening hours or days written in a form the hotline cannot read."""


@dataclass(frozen=True)
class OpeningHours:
    """Daily open and close times on a set of ISO weekdays (1 is Monday), in one time zone."""

    opens: time
    closes: time
    weekdays: frozenset[int]
    time_zone: ZoneInfo

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.time_zone)
        return local.isoweekday() in self.weekdays and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """Return moment itself when open, otherwise the start of the next open period, in UTC."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.time_zone)
        for offset in range(_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            start = datetime.combine(day, self.opens, tzinfo=self.time_zone)
            if day.isoweekday() in self.weekdays and start > local:
                return start.astimezone(timezone.utc)
        raise InvalidHours("no open day in the week: check the weekdays setting")


def parse_opening_hours(hours: str, weekdays: str, time_zone: str) -> OpeningHours:
    """Read "08:00-16:00", "1-5" (or "1,3,5") and an IANA zone name; raise InvalidHours when one is unreadable."""
    match = _HOURS.match(hours or "")
    if match is None:
        raise InvalidHours(f"invalid hours {hours!r}: write them as 08:00-16:00")
    try:
        opens = time(int(match.group(1)), int(match.group(2)))
        closes = time(int(match.group(3)), int(match.group(4)))
    except ValueError:
        raise InvalidHours(f"invalid hours {hours!r}: hours run from 00 to 23, minutes from 00 to 59") from None
    if closes <= opens:
        raise InvalidHours(f"invalid hours {hours!r}: the closing time must come after the opening time")

    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidHours(f"unknown time zone {time_zone!r}: use a name such as Europe/Belgrade") from None
    return OpeningHours(opens, closes, parse_weekdays(weekdays), zone)


def parse_weekdays(text: str) -> frozenset[int]:
    """Read ISO weekdays written as "1-5", "6,7" or "1-3,5"."""
    days: set[int] = set()
    for part in (text or "").split(","):
        match = _DAY_RANGE.match(part)
        if match is None:
            raise InvalidHours(f"invalid weekdays {text!r}: use numbers 1 (Monday) to 7 (Sunday), e.g. 1-5 or 1,3,5")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            raise InvalidHours(f"invalid weekdays {text!r}: write a range from the lower day, e.g. 1-5")
        days.update(range(first, last + 1))
    return frozenset(days)
