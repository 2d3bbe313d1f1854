"""Engines and sessions, and jobs that wait for a commit before they are enqueued."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from db.area_cache import AreaNumberCache

log = logging.getLogger(__name__)

# Session.info key for jobs to enqueue once the transaction that caused them commits.
AFTER_COMMIT_JOBS = "after_commit_jobs"

# SQLite lets one writer in at a time, and web, worker and scheduler share the
# file. A writer waits this long for the lock instead of failing at once.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL mode and a busy timeout for several processes."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None}
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection) -> None:
    # A deferred SQLite transaction that reads and then writes fails at once with
    # "database is locked" when another process wrote meanwhile. Taking the write
    # lock at BEGIN makes it wait for the busy timeout instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine, its session factory and the hook that enqueues jobs after commit."""

    def __init__(self, url: str, enqueue: Callable[..., object] | None = None):
        # Relationships name their targets as strings; importing every model
        # registers them, whichever module a process (an RQ worker) imports first.
        import db.models  # noqa: F401

        self.url = url
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self.enqueue = enqueue
        # Lives as long as the engine, so a process that opens another database starts afresh.
        self.area_numbers = AreaNumberCache()
        event.listen(self.session_factory, "after_commit", self._enqueue_after_commit)
        event.listen(self.session_factory, "after_rollback", _forget_jobs)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session that commits on success and rolls back on error."""
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _enqueue_after_commit(self, session: Session) -> None:
        jobs = session.info.pop(AFTER_COMMIT_JOBS, [])
        if not jobs or self.enqueue is None:
            return
        for job_name, args, delay_seconds in jobs:
            self.enqueue(job_name, args, delay_seconds=delay_seconds)

    def dispose(self) -> None:
        self.engine.dispose()


def _forget_jobs(session: Session) -> None:
    session.info.pop(AFTER_COMMIT_JOBS, None)


def enqueue_after_commit(session: Session, job_name: str, *args: int, delay_seconds: float | None = None) -> None:
    """Ask for a job to be enqueued once this session's transaction commits, optionally after a delay.

    Jobs take ids only. If the enqueue then fails (Redis down), the rows stay
    in the database and the sweeper finds them.
    """
    session.info.setdefault(AFTER_COMMIT_JOBS, []).append((job_name, args, delay_seconds))
