"""Enqueueing jobs by name, after commit; a Redis outage leaves the work to the sweeper."""

import importlib
import logging
from datetime import timedelta
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from workers.queues import JOB_RESULT_TTL_SECONDS, JOBS

log = logging.getLogger(__name__)

# Jobs run in the calling process when Redis cannot take them: a citizen's
# message then still becomes a request at once, and what that request causes
# waits in the database for the sweeper.
INLINE_WHEN_REDIS_IS_DOWN = {"process_inbound"}


class Dispatcher:
    """Put jobs on their RQ queues by the names that db code uses."""

    def __init__(self, redis: Redis | Callable[[], Redis]):
        # A callable lets the web app start its embedded Redis on first use only.
        self._redis = redis
        self._queues: dict[str, Queue] = {}

    @property
    def redis(self) -> Redis:
        if callable(self._redis) and not isinstance(self._redis, Redis):
            self._redis = self._redis()
        return self._redis

    def queue(self, name: str) -> Queue:
        if name not in self._queues:
            self._queues[name] = Queue(name, connection=self.redis)
        return self._queues[name]

    def enqueue(self, job_name: str, args: tuple, delay_seconds: float | None = None) -> bool:
        """Enqueue one job; returns False (and logs) when Redis cannot be reached.

        The caller has already committed the rows that the job would act on, so
        a failure here only delays the work until the sweeper finds those rows.
        """
        if delay_seconds:
            return self.enqueue_in(timedelta(seconds=delay_seconds), job_name, args)
        queue_name, function_path = JOBS[job_name]
        try:
            self.queue(queue_name).enqueue(
                function_path, *args, result_ttl=JOB_RESULT_TTL_SECONDS, description=f"{job_name}{args}"
            )
        except (RedisError, OSError) as error:
            if job_name in INLINE_WHEN_REDIS_IS_DOWN:
                log.warning("enqueue of %s%s failed, running it here instead: %s", job_name, args, error)
                return self._run_inline(function_path, args)
            log.warning("enqueue of %s%s failed, the sweeper will retry: %s", job_name, args, error)
            return False
        return True

    @staticmethod
    def _run_inline(function_path: str, args: tuple) -> bool:
        module_name, function_name = function_path.rsplit(".", 1)
        function = getattr(importlib.import_module(module_name), function_name)
        function(*args)
        return True

    def enqueue_in(self, delay, job_name: str, args: tuple) -> bool:
        """Enqueue a job after a delay; RQ's scheduler (worker --with-scheduler) moves it when due."""
        queue_name, function_path = JOBS[job_name]
        try:
            self.queue(queue_name).enqueue_in(
                delay, function_path, *args, result_ttl=JOB_RESULT_TTL_SECONDS, description=f"{job_name}{args}"
            )
        except (RedisError, OSError) as error:
            log.warning("delayed enqueue of %s%s failed, the sweeper will retry: %s", job_name, args, error)
            return False
        return True
