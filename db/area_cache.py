"""A short memory, per process, of which area owns each hotline number.

Every inbound webhook needs its area's id and country before it can store the
message. Areas and their numbers change a few times a year, so each web
process keeps the result of the lookup for a minute instead of querying the
database on every request. A number moved to another area is followed within that minute.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.areas import find_area_for_number

AREA_CACHE_SECONDS = 60.0
# Only the hotline's own numbers are looked up, so this bound is never reached
# in practice; it keeps a misconfigured provider from growing the memory.
MAX_CACHED_NUMBERS = 1000


@dataclass(frozen=True)
class AreaRef:
    """The id and country of an area: all an inbound webhook needs of it."""

    id: int
    country: str


class AreaNumberCache:
    """Hotline number to area, remembered for AREA_CACHE_SECONDS."""

    def __init__(self, ttl_seconds: float = AREA_CACHE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._entries: dict[str | None, tuple[AreaRef, float]] = {}

    def find(self, session: Session, hotline_number: str | None) -> AreaRef:
        now = self.clock()
        entry = self._entries.get(hotline_number)
        if entry is not None and entry[1] > now:
            return entry[0]
        area = find_area_for_number(session, hotline_number)
        found = AreaRef(area.id, area.country)
        if len(self._entries) >= MAX_CACHED_NUMBERS:
            self._entries.clear()
        self._entries[hotline_number] = (found, now + self.ttl_seconds)
        return found
