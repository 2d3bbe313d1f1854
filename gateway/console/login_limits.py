"""Failed sign-in counters in Redis, per account and per client address.

Each counter lives for one window from its first failure. An account stays
locked while its counter is at the limit, even for the right password, so a
guesser learns nothing from the response.
"""

import hashlib
import logging
from dataclasses import dataclass

from redis.exceptions import RedisError

from gateway.extensions import get_redis

log = logging.getLogger(__name__)

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_ACCOUNT = 5
# An office shares one address, so the address limit leaves room for several
# coordinators who mistype; it stops one machine trying many accounts.
MAX_FAILURES_PER_ADDRESS = 20
KEY_PREFIX = "console:login-failures"


@dataclass(frozen=True)
class LoginLock:
    """A refusal to check a password, with the seconds until the counter expires."""

    retry_after_seconds: int


def _keys(username: str, address: str) -> tuple[tuple[str, int], tuple[str, int]]:
    # Hashed so that Redis stores no usernames or addresses in clear.
    account = hashlib.sha256(username.encode()).hexdigest()[:32]
    client = hashlib.sha256(address.encode()).hexdigest()[:32]
    return (
        (f"{KEY_PREFIX}:account:{account}", MAX_FAILURES_PER_ACCOUNT),
        (f"{KEY_PREFIX}:address:{client}", MAX_FAILURES_PER_ADDRESS),
    )


def check_login_allowed(username: str, address: str) -> LoginLock | None:
    """Return a LoginLock when the account or the address used up its failures, else None.

    When Redis cannot be reached the check lets the attempt through and logs an
    error: the console must stay usable in an outage, and each guess still
    costs an argon2 verification.
    """
    try:
        redis = get_redis()
        for key, limit in _keys(username, address):
            failures = int(redis.get(key) or 0)
            if failures >= limit:
                ttl = redis.ttl(key)
                return LoginLock(retry_after_seconds=max(ttl, 1) if ttl and ttl > 0 else WINDOW_SECONDS)
    except (RedisError, OSError) as error:
        log.error("sign-in limit not checked, Redis failed: %s", error)
    return None


def record_failed_login(username: str, address: str) -> None:
    try:
        redis = get_redis()
        pipeline = redis.pipeline()
        for key, _limit in _keys(username, address):
            # SET NX starts the window on the first failure; INCR keeps its TTL.
            pipeline.set(key, 0, ex=WINDOW_SECONDS, nx=True)
            pipeline.incr(key)
        pipeline.execute()
    except (RedisError, OSError) as error:
        log.error("failed sign-in not counted, Redis failed: %s", error)


def clear_account_failures(username: str, address: str) -> None:
    """Forget an account's failures after a successful sign-in; the address counter stays."""
    (account_key, _), _address = _keys(username, address)
    try:
        get_redis().delete(account_key)
    except (RedisError, OSError) as error:
        log.error("sign-in failures not cleared, Redis failed: %s", error)
