"""How many SMS one gateway phone may send per hour, counted in Redis over a sliding hour.

A fixed hourly counter would let a phone send twice its limit across the turn
of an hour, which is the burst that gets a SIM blocked. A sorted set of send
times counts exactly the last 3600 seconds.
"""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WINDOW_SECONDS = 3600

# Drop send times older than the window, then either record this send or
# return how long until the oldest recorded send leaves the window. One
# script, so two workers cannot both take the last free slot.
_RESERVE_SCRIPT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('EXPIRE', key, window * 2)
  return -1
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


@dataclass(frozen=True)
class Reservation:
    """A slot taken in one phone's window; released again when the send did not happen."""

    key: str
    member: str


class SendRateLimiter:
    """Sliding-window limit of sends per gateway phone.

    clock returns seconds since the epoch; tests replace it to move time on.
    When Redis cannot be reached the limiter lets the send through, because a
    delayed reply to a pensioner costs more than one hour over the limit.
    """

    def __init__(self, redis: Redis | None, clock: Callable[[], float] = time.time):
        self.redis = redis
        self.clock = clock
        self._script = redis.register_script(_RESERVE_SCRIPT) if redis is not None else None

    def reserve(self, provider_id: int, max_per_hour: int) -> tuple[Reservation | None, float]:
        """Take one slot for a send by this phone.

        Returns (reservation, 0) when the send may go now, or (None, seconds)
        with the wait until a slot frees.
        """
        if self._script is None or max_per_hour <= 0:
            return None, 0.0

        key = f"hotline:sendrate:{provider_id}"
        member = uuid.uuid4().hex
        try:
            result = self._script(keys=[key], args=[self.clock(), WINDOW_SECONDS, max_per_hour, member])
        except (RedisError, OSError) as error:
            log.warning("send rate of provider %s not counted, sending anyway: %s", provider_id, error)
            return None, 0.0

        wait = float(result)
        if wait < 0:
            return Reservation(key, member), 0.0
        return None, max(wait, 1.0)

    def wait_seconds(self, provider_id: int, max_per_hour: int) -> float:
        """Return how long until this phone may send again, without taking a slot (0 when it may send now)."""
        if self.redis is None or max_per_hour <= 0:
            return 0.0
        key = f"hotline:sendrate:{provider_id}"
        start = self.clock() - WINDOW_SECONDS
        try:
            recent = self.redis.zrangebyscore(key, f"({start}", "+inf", withscores=True)
        except (RedisError, OSError) as error:
            log.debug("send rate of provider %s not read: %s", provider_id, error)
            return 0.0
        if len(recent) < max_per_hour:
            return 0.0
        # The slot that frees first is the one that lets count drop below the limit.
        oldest_blocking = recent[len(recent) - max_per_hour][1]
        return max(oldest_blocking - start, 1.0)

    def release(self, reservation: Reservation | None) -> None:
        """Give a slot back after a send that the phone did not accept."""
        if reservation is None or self.redis is None:
            return
        try:
            self.redis.zrem(reservation.key, reservation.member)
        except (RedisError, OSError) as error:
            log.debug("send rate slot not released: %s", error)

    def used(self, provider_id: int) -> int | None:
        """Return how many sends this phone made in the last hour, or None when Redis does not respond."""
        if self.redis is None:
            return None
        key = f"hotline:sendrate:{provider_id}"
        try:
            return int(self.redis.zcount(key, self.clock() - WINDOW_SECONDS, "+inf"))
        except (RedisError, OSError):
            return None
