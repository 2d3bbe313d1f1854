"""The resources a job needs (settings, database, provider, Redis), built once per process."""

import logging
from dataclasses import dataclass

from redis import Redis

from db.session import Database
from gateway.settings import Settings, load_settings
from workers.providers.base import Provider
from workers.providers.registry import ProviderRegistry
from workers.send_rate import SendRateLimiter

log = logging.getLogger(__name__)


@dataclass
class WorkerContext:
    settings: Settings
    database: Database
    redis: Redis | None
    provider: Provider | None  # the deployment default, or None without credentials (texts stay in the outbox)
    # Providers per area and purpose, from the area_channels rows; an area
    # without rows gets `provider`.
    providers: ProviderRegistry | None = None
    send_limiter: SendRateLimiter | None = None

    def __post_init__(self):
        if self.providers is None:
            self.providers = ProviderRegistry(self.provider, self.settings.twilio_api_base_url)
        if self.send_limiter is None:
            self.send_limiter = SendRateLimiter(self.redis)


_current: WorkerContext | None = None


def build_context(settings: Settings, redis: Redis | None) -> WorkerContext:
    from workers.dispatch import Dispatcher
    from workers.providers.twilio_provider import TwilioProvider

    dispatcher = Dispatcher(redis) if redis is not None else None
    database = Database(settings.database_url, enqueue=dispatcher.enqueue if dispatcher else None)
    provider = None
    if settings.sends_for_real:
        provider = TwilioProvider(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base_url)
    return WorkerContext(settings=settings, database=database, redis=redis, provider=provider)


def use_context(context: WorkerContext | None) -> None:
    """Install the context that jobs in this process use (tests and `hotline run`)."""
    global _current
    _current = context


def get_context() -> WorkerContext:
    """Return this process's context, building it from the environment on first use."""
    global _current
    if _current is None:
        from workers.redis_connection import connect

        settings = load_settings()
        if not settings.redis_url:
            raise RuntimeError("REDIS_URL is not set: a worker needs the Redis its web app uses")
        _current = build_context(settings, connect(settings.redis_url))
        log.info("worker context built (provider: %s)", _current.provider.name if _current.provider else "none")
    return _current
