"""A small known world for every test: real database, real Redis, fake provider.

TEST_DATABASE_URL and REDIS_URL pick PostgreSQL and a Redis server; without
them the tests use a SQLite file and an embedded Redis, as a newcomer would.
"""

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import create_engine, inspect, make_url, text

from db.areas import AreaNumber, get_default_area
from db.migrate import upgrade_database
from db.models import Base
from db.volunteers import add_volunteer
from gateway import create_app
from gateway.settings import load_settings
from tests.fake_twilio import FakeTwilioServer
from tests.signing import HOTLINE_NUMBER, PUBLIC_URL, signed_post, sms_form
from workers.context import build_context, use_context
from workers.queues import ALL_QUEUES
from workers.redis_connection import EmbeddedRedis, connect

def _postgres_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh database for this test run, migrated to the newest schema.

    On PostgreSQL each run creates its own database beside TEST_DATABASE_URL's
    and drops it at the end, so parallel runs on one server never collide.
    """
    base_url = os.environ.get("TEST_DATABASE_URL")
    if not base_url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'hotline-test.sqlite3'}"
        upgrade_database(url)
        yield url
        return

    base_url = _postgres_url(base_url)
    name = f"hotline_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A Redis database for this run: an index of REDIS_URL's server claimed with a lock key, or an embedded Redis."""
    url = os.environ.get("REDIS_URL")
    if not url:
        embedded = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
        yield embedded.url
        embedded.close()
        return

    parts = urlsplit(url)
    base = connect(urlunsplit((parts.scheme, parts.netloc, "/0", parts.query, parts.fragment)))
    index = _claim_redis_index(base)
    yield urlunsplit((parts.scheme, parts.netloc, f"/{index}", parts.query, parts.fragment))
    base.delete(f"hotline-test-claim:{index}")


def _claim_redis_index(base) -> int:
    # Database 0 is left to the server's other users, and each test run claims
    # one of 1..15 for an hour, so two runs never empty each other's queues.
    for index in range(1, 16):
        if base.set(f"hotline-test-claim:{index}", os.getpid(), nx=True, ex=3600):
            return index
    raise RuntimeError("every Redis database 1..15 is claimed by another test run; wait or delete hotline-test-claim:* keys")


@pytest.fixture(scope="session")
def fake_twilio_server():
    server = FakeTwilioServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_twilio(fake_twilio_server):
    fake_twilio_server.fake.reset()
    return fake_twilio_server.fake


@pytest.fixture
def env(database_url, redis_url, fake_twilio, tmp_path) -> dict:
    """The environment-style settings of a deployment pointed at the test services."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
        "TWILIO_AUTH_TOKEN": fake_twilio.auth_token,
        "TWILIO_API_BASE_URL": fake_twilio.url,
        "PUBLIC_URL": PUBLIC_URL,
        "HOTLINE_INSTANCE_DIR": str(tmp_path / "instance"),
    }


@pytest.fixture
def redis(redis_url):
    client = connect(redis_url)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def app(env, redis):
    app = create_app(env)
    _empty_tables(app.extensions["hotline.db"].engine)
    context = build_context(load_settings(env), redis)
    use_context(context)
    # The default area is made again with the model's defaults, as a fresh install has it.
    with app.extensions["hotline.db"].session() as session:
        area = get_default_area(session)
        session.add(AreaNumber(area_id=area.id, phone=HOTLINE_NUMBER))
    yield app
    use_context(None)
    context.database.dispose()
    app.extensions["hotline.db"].dispose()


def _empty_tables(engine) -> None:
    # Tables the migrations did not create are left to the schema test, which names them.
    existing = set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in existing:
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    """A session on the app's database; commit explicitly to make changes visible."""
    session = app.extensions["hotline.db"].session_factory()
    yield session
    session.close()


class BurstWorker(SimpleWorker):
    """RQ's in-process worker without the command channel.

    A burst run needs no remote commands, and stopping RQ's pub/sub thread can
    wait up to its 60-second poll, which would stall a test for nothing.
    """

    def subscribe(self):
        pass

    def unsubscribe(self):
        pass


class Hotline:
    """Test driver: signed webhooks in, burst RQ workers, and the known world."""

    def __init__(self, app, client, redis, fake):
        self.app = app
        self.client = client
        self.redis = redis
        self.fake = fake
        self.token = fake.auth_token
        self.database = app.extensions["hotline.db"]

    def text(self, sender: str, body: str, sid: str | None = None, to: str = HOTLINE_NUMBER):
        """Send an SMS webhook as the provider would, then let the workers finish."""
        response = signed_post(self.client, "/twilio/sms", sms_form(sender, body, sid, to), self.token)
        self.run_jobs()
        return response

    def client_post(self, sender: str, body: str, sid: str | None = None) -> int:
        """Send an SMS webhook without running any job; returns the HTTP status."""
        return signed_post(self.client, "/twilio/sms", sms_form(sender, body, sid), self.token).status_code

    @property
    def redis_url(self) -> str:
        kwargs = self.redis.connection_pool.connection_kwargs
        if "path" in kwargs:
            return f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
        return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"

    def run_jobs(self) -> int:
        """Run every queued job with a real RQ worker in burst mode; returns how many ran."""
        queues = [Queue(name, connection=self.redis) for name in ALL_QUEUES]
        worker = BurstWorker(queues, connection=self.redis, log_job_description=False)
        worker.work(burst=True)
        return worker.successful_job_count

    def add_volunteer(self, name: str, phone: str, languages: str = "sr,sq,en", skills: str = "documents,delivery"):
        with self.database.session() as session:
            volunteer = add_volunteer(session, get_default_area(session), name, phone, languages, skills)
            return volunteer.id

    def bodies_to(self, phone: str) -> list[str]:
        return [request.body for request in self.fake.messages(to=phone)]


@pytest.fixture
def hotline(app, client, redis, fake_twilio) -> Hotline:
    return Hotline(app, client, redis, fake_twilio)


# The known world: two volunteers and one citizen per language.
VOLUNTEER_MARKO = ("Marko", "+38344100001")
VOLUNTEER_ARTA = ("Arta", "+38344100002")
CITIZEN_SR = "+38344200001"
CITIZEN_SR_CYRL = "+381641234567"
CITIZEN_SQ = "+38345200003"
CITIZEN_EN = "+38349200004"

REPO_ROOT = Path(__file__).resolve().parents[1]
