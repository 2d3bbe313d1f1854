"""Per-number limits counted in Redis: inbound messages per minute and replies per day.

A looping phone or an SMS-pumping attack must not make the hotline reply
without end and empty the centre's account. Counters are fixed windows, which
is enough for limits this coarse. When Redis is down the limits let messages
through: losing a pensioner's request costs more than a few extra replies.
"""

import logging
from datetime import datetime

from redis import Redis
from redis.exceptions import RedisError

from db.phone_numbers import mask_phone

log = logging.getLogger(__name__)


def _count(redis: Redis, key: str, ttl_seconds: int) -> int | None:
    try:
        pipeline = redis.pipeline()
        pipeline.incr(key)
        pipeline.expire(key, ttl_seconds)
        count, _ = pipeline.execute()
    except (RedisError, OSError) as error:
        log.warning("rate limit counter %s unavailable, letting the message through: %s", key.split(":")[1], error)
        return None
    return int(count)


def inbound_over_limit(redis: Redis, area_id: int, phone: str, per_minute: int, message_id: int,
                       received_at: datetime) -> bool:
    """Return True when this message came after the first per_minute messages its number sent that minute.

    Each minute's messages are a sorted set of their ids, and a message's place
    is its rank there. A job that runs again after a failure therefore gets
    the same result for the same message instead of counting it twice.
    """
    key = f"limit:in:{area_id}:{phone}:{received_at:%Y%m%d%H%M}"
    try:
        pipeline = redis.pipeline()
        pipeline.zadd(key, {str(message_id): message_id})
        # Long enough for a backlog of jobs to reach the minute's last message.
        pipeline.expire(key, 3600)
        pipeline.zrank(key, str(message_id))
        _, _, rank = pipeline.execute()
    except (RedisError, OSError) as error:
        log.warning("inbound rate limit for area %s unavailable, letting the message through: %s", area_id, error)
        return False
    if rank is None or rank < per_minute:
        return False
    if rank == per_minute:
        log.warning("number %s passed %s inbound messages per minute in area %s", mask_phone(phone), per_minute, area_id)
    return True


def replies_over_limit(redis: Redis, area_id: int, phone: str, per_day: int, now: datetime) -> bool:
    """Count one reply; True when this number already got per_day replies today (UTC)."""
    count = _count(redis, f"limit:out:{area_id}:{phone}:{now:%Y%m%d}", 2 * 86400)
    if count is None or count <= per_day:
        return False
    if count == per_day + 1:
        log.warning("number %s reached %s replies today in area %s; further replies are held", mask_phone(phone),
                    per_day, area_id)
    return True
