"""Faults on purpose: Redis down, a worker killed mid-send, a provider failing."""

import os
import signal
import subprocess
import sys
import time

import pytest
from rq import Queue
from sqlalchemy import select

from db.messages import STATUS_FAILED, STATUS_SENDING, STATUS_SENT, Message
from db.areas import get_default_area
from db.people import Volunteer
from db.requests import OFFER_UNREACHABLE, STATUS_NEW, HelpRequest, Offer
from gateway import create_app
from gateway.settings import load_settings
from ivr_flows.volunteer_availability import pause_volunteer
from tests.clock import clock  # noqa: F401  (fixture)
from tests.conftest import CITIZEN_SR, VOLUNTEER_ARTA, VOLUNTEER_MARKO, Hotline
from tests.redis_server import PrivateRedis
from workers.context import build_context, use_context
from workers.redis_connection import connect
from workers.queues import DEFAULT_QUEUE, SEND_QUEUE
from workers.sending import MAX_SEND_ATTEMPTS
from workers.sweeper import sweep

CITIZENS = [f"+3834430000{index}" for index in range(5)]


@pytest.fixture
def private_redis():
    server = PrivateRedis().start()
    yield server
    server.stop()


@pytest.fixture
def outage_hotline(env, private_redis, fake_twilio, app):
    """A hotline wired to a Redis instance that the test may stop."""
    outage_env = dict(env, REDIS_URL=private_redis.url)
    outage_app = create_app(outage_env)
    redis = connect(private_redis.url)
    context = build_context(load_settings(outage_env), redis)
    use_context(context)
    yield Hotline(outage_app, outage_app.test_client(), redis, fake_twilio)
    use_context(None)
    context.database.dispose()
    outage_app.extensions["hotline.db"].dispose()


def _sent_bodies(fake, phone):
    return [request.body for request in fake.messages(to=phone)]


def test_redis_outage_loses_no_request(outage_hotline, private_redis, fake_twilio, clock):
    hotline = outage_hotline
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    private_redis.stop()

    statuses = [hotline.client_post(citizen, f"treba mi hleb i lekovi {index}") for index, citizen in enumerate(CITIZENS)]

    assert statuses == [200] * len(CITIZENS)
    with hotline.database.session() as session:
        stored = session.scalars(select(HelpRequest.status)).all()
    assert stored == [STATUS_NEW] * len(CITIZENS)
    assert fake_twilio.messages() == []

    private_redis.start()
    clock.advance(minutes=2)
    sweep()
    hotline.run_jobs()

    offers = _sent_bodies(fake_twilio, VOLUNTEER_MARKO[1])
    assert len(offers) == len(CITIZENS)
    assert len(set(offers)) == len(CITIZENS)
    for citizen in CITIZENS:
        assert len(_sent_bodies(fake_twilio, citizen)) == 1

    clock.advance(minutes=2)
    sweep()
    hotline.run_jobs()
    assert len(_sent_bodies(fake_twilio, VOLUNTEER_MARKO[1])) == len(CITIZENS)


def test_provider_errors_are_retried_until_sent(hotline, fake_twilio, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    fake_twilio.fail_next(3, status=500)
    fake_twilio.fail_next(1, status=429, code=20429)

    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    for _ in range(MAX_SEND_ATTEMPTS):
        clock.advance(minutes=15)
        sweep()
        hotline.run_jobs()

    with hotline.database.session() as session:
        rows = session.scalars(select(Message).where(Message.direction == "out")).all()
    kinds = sorted(row.kind for row in rows)
    assert "received" in kinds
    assert "offer" in kinds
    assert [row.status for row in rows] == [STATUS_SENT] * len(rows)
    assert max(row.attempts for row in rows) > 1
    assert all(row.attempts <= MAX_SEND_ATTEMPTS for row in rows)
    sent_sids = [row.provider_sid for row in rows]
    assert len(set(sent_sids)) == len(rows)
    assert len(fake_twilio.messages()) == len(rows)


def test_permanent_provider_error_fails_without_retry(hotline, fake_twilio, clock):
    fake_twilio.fail_next(1, status=400, code=21610)

    hotline.text(CITIZEN_SR, "POMOC")
    clock.advance(minutes=15)
    sweep()
    hotline.run_jobs()

    with hotline.database.session() as session:
        row = session.scalar(select(Message).where(Message.to_number == CITIZEN_SR))
    assert row.status == STATUS_FAILED
    assert row.attempts == 1
    assert "21610" in row.last_error
    assert fake_twilio.messages() == []


def test_unreachable_volunteer_is_skipped(hotline, fake_twilio):
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.add_volunteer(*VOLUNTEER_ARTA)
    with hotline.database.session() as session:
        get_default_area(session).offer_wave_size = 1
    fake_twilio.failing_numbers[VOLUNTEER_MARKO[1]] = (400, 21614)

    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    hotline.run_jobs()

    assert _sent_bodies(fake_twilio, VOLUNTEER_MARKO[1]) == []
    assert len(_sent_bodies(fake_twilio, VOLUNTEER_ARTA[1])) == 1
    with hotline.database.session() as session:
        offers = dict(session.execute(select(Offer.volunteer_id, Offer.status)).all())
    assert offers[marko] == OFFER_UNREACHABLE


def test_worker_killed_mid_send_sends_once_after_recovery(hotline, env, fake_twilio, clock):
    fake_twilio.hold_requests()
    hotline.client_post(CITIZEN_SR, "POMOC")
    worker = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "worker"],
        env={**os.environ, **env, "REDIS_URL": hotline.redis_url}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # A forking worker on a loaded 2-core machine can take a while to start.
        deadline = time.monotonic() + 90
        while fake_twilio.held_count == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert fake_twilio.held_count == 1
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    fake_twilio.release(drop=True)

    with hotline.database.session() as session:
        assert session.scalar(select(Message.status).where(Message.to_number == CITIZEN_SR)) == STATUS_SENDING

    clock.advance(minutes=6)
    sweep()
    hotline.run_jobs()
    clock.advance(minutes=6)
    sweep()
    hotline.run_jobs()

    assert len(_sent_bodies(fake_twilio, CITIZEN_SR)) == 1
    with hotline.database.session() as session:
        assert session.scalar(select(Message.status).where(Message.to_number == CITIZEN_SR)) == STATUS_SENT


def test_sweep_requeues_backlog_in_batches(outage_hotline, private_redis, clock, monkeypatch):
    hotline = outage_hotline
    monkeypatch.setattr("workers.sweeper.SWEEP_BATCH", 2)
    private_redis.stop()
    for index, citizen in enumerate(CITIZENS[:3]):
        hotline.client_post(citizen, f"treba mi hleb i lekovi {index}")
    private_redis.start()
    with hotline.database.session() as session:
        confirmations = session.scalars(select(Message.id).where(Message.direction == "out").order_by(Message.id)).all()
        requests = session.scalars(select(HelpRequest.id).order_by(HelpRequest.id)).all()

    clock.advance(minutes=2)
    counts = sweep()

    assert (len(confirmations), len(requests)) == (3, 3)
    assert (counts["messages"], counts["requests"]) == (2, 2)
    assert [job.args[0] for job in Queue(SEND_QUEUE, connection=hotline.redis).jobs] == confirmations[:2]
    assert sorted(job.args[0] for job in Queue(DEFAULT_QUEUE, connection=hotline.redis).jobs) == requests[:2]


def test_given_back_task_rerouted_after_outage(outage_hotline, private_redis, fake_twilio, clock):
    hotline = outage_hotline
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO, languages="sr")
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi, Kralja Petra 12")
    hotline.text(VOLUNTEER_MARKO[1], "DA 1")
    hotline.add_volunteer(*VOLUNTEER_ARTA, languages="sr")

    # Marko is paused from the console while Redis is down: the routing job is never enqueued.
    private_redis.stop()
    with hotline.database.session() as session:
        volunteer = session.get(Volunteer, marko)
        assert pause_volunteer(session, get_default_area(session), volunteer) == [1]
    private_redis.start()
    clock.advance(minutes=2)
    counts = sweep()
    hotline.run_jobs()

    assert counts["requests"] == 1
    offers = _sent_bodies(fake_twilio, VOLUNTEER_ARTA[1])
    assert len(offers) == 1
    assert "Kralja Petra 12" in offers[0]
