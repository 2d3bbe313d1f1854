"""The send job on a gateway phone: SIM by prefix, fallback, per-area choice and the hourly limit."""

import time
from datetime import timedelta

import pytest
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from db.areas import get_default_area
from db.base import utcnow
from db.channels import ChannelProvider, find_channel
from db.messages import STATUS_FAILED, STATUS_RETRYING, STATUS_SENT, Message
from db.sms_gateways import CONDITION_SILENT, get_state
from ivr_flows.outgoing import queue_body
from tests.clock import clock  # noqa: F401  (fixture)
from tests.conftest import CITIZEN_SR, CITIZEN_SR_CYRL
from tests.smsgate_world import (  # noqa: F401  (fixtures)
    TWILIO_SENDER,
    fake_smsgate,
    fake_smsgate_server,
    gateway_area,
    gateway_env,
)
from workers.context import get_context
from workers.queues import SEND_QUEUE
from workers.send_rate import SendRateLimiter
from workers.sending import send_message

SWISS_NUMBER = "+41791234567"


def _queue_text(hotline, to: str, body: str = "Vaš zahtev 7 je primljen.") -> int:
    with hotline.database.session() as session:
        return queue_body(session, get_default_area(session), to, body, "reply").id


def _message(hotline, message_id: int) -> Message:
    with hotline.database.session() as session:
        return session.get(Message, message_id)


def _update_phone(hotline, phone_id: int, **changes) -> None:
    with hotline.database.session() as session:
        phone = session.get(ChannelProvider, phone_id)
        for field, value in changes.items():
            setattr(phone, field, value)
        phone.updated_at = utcnow()


@pytest.mark.parametrize(("number", "sim"), [(CITIZEN_SR, 1), (CITIZEN_SR_CYRL, 2), (SWISS_NUMBER, None)])
def test_sim_is_chosen_by_prefix(hotline, gateway_area, fake_smsgate, number, sim):
    _queue_text(hotline, number)
    hotline.run_jobs()

    sent = fake_smsgate.messages(to=number)
    assert len(sent) == 1
    assert sent[0].sim_number == sim
    assert ("simNumber" in sent[0].payload) == (sim is not None)


def test_exact_payload_sent_to_the_phone(hotline, gateway_area, fake_smsgate):
    _queue_text(hotline, CITIZEN_SR, "Hvala. Broj Vašeg zahteva je 3.")
    hotline.run_jobs()

    assert fake_smsgate.messages()[0].payload == {
        "phoneNumbers": [CITIZEN_SR], "textMessage": {"text": "Hvala. Broj Vašeg zahteva je 3."}, "simNumber": 1,
        "withDeliveryReport": True, "isEncrypted": False, "priority": 0,
    }


def test_area_without_channels_keeps_twilio(hotline, fake_smsgate, fake_twilio):
    message_id = _queue_text(hotline, CITIZEN_SR)
    hotline.run_jobs()

    assert fake_smsgate.messages() == []
    assert len(fake_twilio.messages(to=CITIZEN_SR)) == 1
    assert _message(hotline, message_id).provider_sid.startswith("SM")


def test_each_area_uses_its_own_provider(hotline, gateway_area, fake_smsgate, fake_twilio):
    from db.areas import AreaNumber, ServiceArea

    with hotline.database.session() as session:
        other = ServiceArea(slug="zvecan", name="Zvečan")
        session.add(other)
        session.flush()
        session.add(AreaNumber(area_id=other.id, phone="+38328000200"))
        other_message = queue_body(session, other, CITIZEN_SR_CYRL, "Zdravo", "reply").id
    gateway_message = _queue_text(hotline, CITIZEN_SR)
    hotline.run_jobs()

    assert _message(hotline, gateway_message).provider_sid.startswith("smsgate:")
    assert _message(hotline, other_message).provider_sid.startswith("SM")
    assert fake_twilio.messages(to=CITIZEN_SR_CYRL)[0].form["From"] == "+38328000200"


def test_transient_phone_error_falls_back_to_twilio(hotline, gateway_area, fake_smsgate, fake_twilio):
    fake_smsgate.fail_next(1, status=503)

    message_id = _queue_text(hotline, CITIZEN_SR)
    hotline.run_jobs()

    message = _message(hotline, message_id)
    assert message.status == STATUS_SENT
    assert message.provider_sid.startswith("SM")
    assert fake_smsgate.messages() == []
    sent = fake_twilio.messages(to=CITIZEN_SR)
    assert len(sent) == 1
    assert sent[0].form["From"] == TWILIO_SENDER


def test_permanent_phone_error_fails_without_fallback(hotline, gateway_area, fake_smsgate, fake_twilio):
    fake_smsgate.fail_next(1, status=400)

    message_id = _queue_text(hotline, CITIZEN_SR)
    hotline.run_jobs()

    message = _message(hotline, message_id)
    assert message.status == STATUS_FAILED
    assert message.last_error.startswith("HTTP 400: fake failure 400")
    assert fake_twilio.messages() == []


def test_unset_credential_variable_falls_back(hotline, gateway_area, fake_smsgate, fake_twilio, monkeypatch):
    monkeypatch.delenv("TEST_SMSGATE_PASSWORD")

    message_id = _queue_text(hotline, CITIZEN_SR)
    hotline.run_jobs()

    assert _message(hotline, message_id).provider_sid.startswith("SM")
    assert fake_smsgate.messages() == []


def test_transient_error_without_fallback_retries(hotline, gateway_area, fake_smsgate, fake_twilio):
    with hotline.database.session() as session:
        find_channel(session, get_default_area(session).id, "sms_out").fallback_provider_id = None
    fake_smsgate.fail_next(1, status=503)

    message_id = _queue_text(hotline, CITIZEN_SR)
    hotline.run_jobs()

    message = _message(hotline, message_id)
    assert message.status == STATUS_RETRYING
    assert message.attempts == 1
    assert message.next_attempt_at > utcnow()
    assert message.last_error.startswith("HTTP 503")
    assert fake_twilio.messages() == []


def test_silent_phone_goes_after_its_fallback(hotline, gateway_area, fake_smsgate, fake_twilio):
    with hotline.database.session() as session:
        get_state(session, session.get(ChannelProvider, gateway_area)).condition = CONDITION_SILENT

    _queue_text(hotline, CITIZEN_SR)
    hotline.run_jobs()

    assert fake_smsgate.messages() == []
    assert len(fake_twilio.messages(to=CITIZEN_SR)) == 1


def test_hourly_limit_holds_back_excess(hotline, gateway_area, fake_smsgate, fake_twilio, clock):
    _update_phone(hotline, gateway_area, max_per_hour=2)

    ids = [_queue_text(hotline, CITIZEN_SR, f"Poruka {number}") for number in (1, 2, 3)]
    hotline.run_jobs()

    assert fake_smsgate.texts_to(CITIZEN_SR) == ["Poruka 1", "Poruka 2"]
    assert fake_twilio.messages() == []
    held = _message(hotline, ids[2])
    assert held.status == STATUS_RETRYING
    assert held.attempts == 0
    assert held.last_error == "held back: SMS gateway phone mitrovica-phone reached its limit of 2 SMS per hour"
    assert utcnow() + timedelta(minutes=59) < held.next_attempt_at < utcnow() + timedelta(minutes=61)
    scheduled = ScheduledJobRegistry(queue=Queue(SEND_QUEUE, connection=hotline.redis))
    assert scheduled.count == 1

    # An hour later the delayed job runs and the phone has room again.
    get_context().send_limiter.clock = lambda: time.time() + 3601
    clock.advance(minutes=61)
    assert send_message(ids[2]) == STATUS_SENT
    assert fake_smsgate.texts_to(CITIZEN_SR) == ["Poruka 1", "Poruka 2", "Poruka 3"]
    assert _message(hotline, ids[2]).attempts == 1


def test_held_message_is_not_sent_early(hotline, gateway_area, fake_smsgate):
    _update_phone(hotline, gateway_area, max_per_hour=1)
    ids = [_queue_text(hotline, CITIZEN_SR, f"Poruka {number}") for number in (1, 2)]
    hotline.run_jobs()

    # A duplicate job may wake the held row half an hour early: it leaves the row waiting.
    held_until = _message(hotline, ids[1]).next_attempt_at
    get_context().send_limiter.clock = lambda: time.time() + 1800

    assert send_message(ids[1]) == "skipped"
    assert fake_smsgate.texts_to(CITIZEN_SR) == ["Poruka 1"]
    held = _message(hotline, ids[1])
    assert (held.status, held.next_attempt_at) == (STATUS_RETRYING, held_until)


def test_sliding_window_frees_the_oldest_slot_first(redis):
    now = [1_000_000.0]
    limiter = SendRateLimiter(redis, clock=lambda: now[0])

    first, _ = limiter.reserve(7, 2)
    now[0] += 600
    second, _ = limiter.reserve(7, 2)
    refused, wait = limiter.reserve(7, 2)

    assert first is not None
    assert second is not None
    assert refused is None
    assert wait == pytest.approx(3000)
    assert limiter.wait_seconds(7, 2) == pytest.approx(3000)
    assert limiter.used(7) == 2


def test_released_slot_can_be_taken_again(redis):
    limiter = SendRateLimiter(redis, clock=lambda: 1_000_000.0)

    taken, _ = limiter.reserve(8, 1)
    limiter.release(taken)
    again, wait = limiter.reserve(8, 1)

    assert again is not None
    assert wait == 0


def test_limiter_without_redis_lets_sends_through():
    limiter = SendRateLimiter(None)

    assert limiter.reserve(9, 1) == (None, 0.0)
    assert limiter.wait_seconds(9, 1) == 0.0
