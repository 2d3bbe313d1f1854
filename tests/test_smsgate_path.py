"""The whole SMS path on a gateway phone alone: citizen → volunteers → acceptance → confirmation.

No Twilio account is configured. The app is served on loopback, the phone's
webhooks reach it over HTTP, and its replies leave through the fake phone's
REST API, which then reports them sent and delivered.
"""

import threading

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from db.areas import get_default_area
from db.channels import PURPOSE_SMS_IN, PURPOSE_SMS_OUT, set_channel
from db.messages import DIRECTION_OUT, STATUS_DELIVERED, Message
from db.requests import STATUS_ACCEPTED, STATUS_DONE, STATUS_OFFERED, HelpRequest
from gateway import create_app
from gateway.settings import load_settings
from tests.conftest import CITIZEN_SR, VOLUNTEER_ARTA, VOLUNTEER_MARKO
from tests.fake_smsgate import PhoneWebhooks
from tests.smsgate_world import (  # noqa: F401  (fixtures)
    SIGNING_KEY,
    add_phone,
    fake_smsgate,
    fake_smsgate_server,
    gateway_env,
)
from workers.context import build_context, use_context


@pytest.fixture
def served_gateway(app, env, redis, gateway_env, fake_smsgate):
    """The app without Twilio credentials, served on a loopback port, its area wired to the phone only."""
    settings = dict(env, TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="")
    gateway_app = create_app(settings)
    context = build_context(load_settings(settings), redis)
    use_context(context)
    with gateway_app.extensions["hotline.db"].session() as session:
        area = get_default_area(session)
        phone = add_phone(session, fake_smsgate.url)
        set_channel(session, area.id, PURPOSE_SMS_IN, phone, None)
        set_channel(session, area.id, PURPOSE_SMS_OUT, phone, None)

    server = make_server("127.0.0.1", 0, gateway_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    yield lambda path, body, headers: requests.post(base_url + path, data=body, headers=headers, timeout=10)
    server.shutdown()
    context.database.dispose()
    gateway_app.extensions["hotline.db"].dispose()


def _request(hotline) -> HelpRequest:
    with hotline.database.session() as session:
        return session.scalar(select(HelpRequest).where(HelpRequest.number == 1))


def _report_all_delivered(phone: PhoneWebhooks, fake_smsgate, reported: set) -> None:
    for sms in fake_smsgate.messages():
        if sms.id not in reported:
            assert phone.sent(sms.id).status_code == 200
            assert phone.delivered(sms.id).status_code == 200
            reported.add(sms.id)


def test_request_travels_through_the_phone_alone(hotline, served_gateway, fake_smsgate, fake_twilio):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.add_volunteer(*VOLUNTEER_ARTA)
    phone = PhoneWebhooks(served_gateway, SIGNING_KEY)
    reported: set[str] = set()

    response = phone.received("044 200 001", "Hrana i lekovi za baku, Ul. Kralja Petra 12")
    hotline.run_jobs()
    _report_all_delivered(phone, fake_smsgate, reported)

    assert response.status_code == 200
    assert response.json() == {"outcome": "stored"}
    assert _request(hotline).status == STATUS_OFFERED
    assert fake_smsgate.texts_to(CITIZEN_SR) == [
        "Hvala. Broj Vašeg zahteva je 1. Volonter će Vam se uskoro javiti."]
    marko_offer = fake_smsgate.texts_to(VOLUNTEER_MARKO[1])
    assert len(marko_offer) == 1
    assert "DA 1" in marko_offer[0]
    assert len(fake_smsgate.texts_to(VOLUNTEER_ARTA[1])) == 1

    phone.received(VOLUNTEER_MARKO[1], "DA 1")
    hotline.run_jobs()
    _report_all_delivered(phone, fake_smsgate, reported)

    assert _request(hotline).status == STATUS_ACCEPTED
    citizen_texts = fake_smsgate.texts_to(CITIZEN_SR)
    assert len(citizen_texts) == 2
    assert "Marko" in citizen_texts[1]
    assert "+383 44 200 001" in fake_smsgate.texts_to(VOLUNTEER_MARKO[1])[1]
    assert len(fake_smsgate.texts_to(VOLUNTEER_ARTA[1])) == 2

    phone.received(VOLUNTEER_MARKO[1], "GOTOVO 1")
    hotline.run_jobs()
    _report_all_delivered(phone, fake_smsgate, reported)

    assert _request(hotline).status == STATUS_DONE
    assert len(fake_smsgate.texts_to(CITIZEN_SR)) == 3
    assert all(sms.sim_number == 1 for sms in fake_smsgate.messages())
    assert fake_twilio.requests == []
    with hotline.database.session() as session:
        outbound = session.scalars(select(Message).where(Message.direction == DIRECTION_OUT)).all()
    assert len(outbound) == len(fake_smsgate.messages())
    assert {message.status for message in outbound} == {STATUS_DELIVERED}
    assert all(message.provider_sid.startswith("smsgate:") for message in outbound)
