"""The services a figure runs against: its own PostgreSQL database, its own redis-server, a known world.

Everything listens on 127.0.0.1 and is removed when the figure ends: the
database is dropped and the redis-server stopped.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import create_engine, inspect, make_url, text

from bench.common import say

# The machine's PostgreSQL server (trust authentication); BENCH_POSTGRES_URL overrides it.
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token"
# The SMS gateway phone that the drain figure sends through; channel rows name these variables.
GATEWAY_USER = "bench-phone"
GATEWAY_PASSWORD = "bench-phone-password"
GATEWAY_USER_ENV = "BENCH_GATEWAY_USER"
GATEWAY_PASSWORD_ENV = "BENCH_GATEWAY_PASSWORD"
HOTLINE_NUMBER = "+38328000100"
# Never contacted: the web app does not call the provider, and a figure that
# sends starts a fake provider and passes its URL instead.
UNUSED_PROVIDER_URL = "http://127.0.0.1:9"
# Volunteers of the default world: enough for every offer wave of three.
DEFAULT_VOLUNTEERS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Wait until something accepts connections on 127.0.0.1:port; raise if the process exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with code {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f}s")


class PostgresDatabase:
    """A database created for one figure on the machine's PostgreSQL server, dropped by close()."""

    def __init__(self, label: str):
        base_url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        if base_url.startswith("postgresql://"):
            base_url = "postgresql+psycopg://" + base_url[len("postgresql://"):]
        self.name = f"hotline_bench_{label}_{os.getpid()}_{uuid.uuid4().hex[:4]}"
        self._admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = make_url(base_url).set(database=self.name).render_as_string(hide_password=False)

    def close(self) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


class PrivateRedis:
    """A redis-server of this figure's own on a free loopback port, without persistence."""

    def __init__(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        client = Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except RedisConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    raise RuntimeError(f"redis-server on port {self.port} did not start")
                time.sleep(0.05)
        client.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class BenchServices:
    """Database, Redis and settings for one figure.

    With database_url and redis_url given (the pytest smoke test passes its
    own), those are used and left in place; otherwise a PostgreSQL database
    and a redis-server are created here and removed by close().
    """

    def __init__(self, label: str, database_url: str | None = None, redis_url: str | None = None):
        from db.migrate import upgrade_database

        self._database = None
        self._redis = None
        self.instance_dir = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
        try:
            if database_url is None:
                self._database = PostgresDatabase(label)
                database_url = self._database.url
            if redis_url is None:
                self._redis = PrivateRedis()
                redis_url = self._redis.url
            self.database_url = database_url
            self.redis_url = redis_url
            say(f"  services: database {database_url.rsplit('/', 1)[-1]}, Redis {redis_url}")
            upgrade_database(database_url)
        except BaseException:
            self.close()
            raise
        self.engine = create_engine(database_url)

    def env(self, provider_url: str = UNUSED_PROVIDER_URL, public_url: str | None = None) -> dict:
        """Return the environment of a deployment pointed at these services."""
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE_URL": provider_url,
            "HOTLINE_INSTANCE_DIR": str(self.instance_dir),
            GATEWAY_USER_ENV: GATEWAY_USER,
            GATEWAY_PASSWORD_ENV: GATEWAY_PASSWORD,
        })
        if public_url:
            env["PUBLIC_URL"] = public_url
        return env

    def redis(self) -> Redis:
        from workers.redis_connection import connect

        return connect(self.redis_url)

    def reset(self, volunteers: int = DEFAULT_VOLUNTEERS) -> None:
        """Empty every table and Redis, then store the default area, its number and the volunteers."""
        empty_tables(self.engine)
        client = self.redis()
        client.flushdb()
        client.close()
        seed_world(self.database_url, volunteers)

    def close(self) -> None:
        if getattr(self, "engine", None) is not None:
            self.engine.dispose()
        if self._redis is not None:
            self._redis.close()
        if self._database is not None:
            self._database.close()
        shutil.rmtree(self.instance_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def empty_tables(engine) -> None:
    """Delete every row of the hotline's tables (TRUNCATE on PostgreSQL, which also resets the ids)."""
    from db.models import Base

    existing = set(inspect(engine).get_table_names())
    tables = [table.name for table in Base.metadata.sorted_tables if table.name in existing]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        for name in reversed(tables):
            connection.execute(text(f'DELETE FROM "{name}"'))


def seed_world(database_url: str, volunteers: int) -> None:
    """Store the default area with the hotline number and volunteers who speak every language."""
    from db.areas import AreaNumber, get_default_area
    from db.session import Database
    from db.volunteers import add_volunteer

    database = Database(database_url)
    with database.session() as session:
        area = get_default_area(session)
        session.add(AreaNumber(area_id=area.id, phone=HOTLINE_NUMBER))
        for index in range(volunteers):
            add_volunteer(session, area, f"Volunteer {index}", volunteer_phone(index), "sr,sq,en",
                          "documents,delivery")
    database.dispose()


def volunteer_phone(index: int) -> str:
    # Kosovo mobile numbers (+383 45 ...); citizens of the load generator use +383 44 and +383 49.
    return f"+38345{100000 + index:06d}"
