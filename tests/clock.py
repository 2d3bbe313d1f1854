"""A clock that tests move by hand, installed through db.base.set_clock."""

from datetime import datetime, timedelta, timezone

import pytest

from db.base import set_clock


class MovableClock:
    def __init__(self, start: datetime | None = None):
        self.now = start or datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    movable = MovableClock()
    set_clock(movable)
    yield movable
    set_clock(None)
