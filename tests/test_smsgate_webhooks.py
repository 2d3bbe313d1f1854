"""POST /smsgate/webhook: signed events from the gateway phone become rows, replies and states."""

import time

import pytest
from sqlalchemy import func, select

from db.messages import DIRECTION_IN, DIRECTION_OUT, STATUS_DELIVERED, STATUS_FAILED, STATUS_SENT, Message
from db.people import Citizen
from db.sms_gateways import GatewayMessage, GatewayPhoneState
from tests.conftest import CITIZEN_SR, CITIZEN_SR_CYRL, VOLUNTEER_MARKO
from tests.fake_smsgate import PhoneWebhooks, sign
from tests.signing import HOTLINE_NUMBER
from tests.smsgate_world import (  # noqa: F401  (fixtures)
    SIGNING_KEY,
    fake_smsgate,
    fake_smsgate_server,
    gateway_area,
    gateway_env,
    phone,
    post_with_client,
)


def _inbound(hotline) -> list[Message]:
    with hotline.database.session() as session:
        return session.scalars(select(Message).where(Message.direction == DIRECTION_IN).order_by(Message.id)).all()


def _outbound_to(hotline, number: str) -> list[Message]:
    with hotline.database.session() as session:
        return session.scalars(
            select(Message).where(Message.direction == DIRECTION_OUT, Message.to_number == number).order_by(Message.id)
        ).all()


def _citizen_count(hotline) -> int:
    with hotline.database.session() as session:
        return session.scalar(select(func.count(Citizen.id)))


@pytest.mark.parametrize("written", ["044200001", "+38344200001", "0038344200001", "044 200 001"])
def test_inbound_number_forms_mean_one_citizen(hotline, phone, fake_smsgate, written):
    response = phone.received(written, "HRANA")
    hotline.run_jobs()

    assert response.status_code == 200
    assert response.get_json() == {"outcome": "stored"}
    inbound = _inbound(hotline)
    assert len(inbound) == 1
    assert inbound[0].from_number == CITIZEN_SR
    assert inbound[0].to_number == HOTLINE_NUMBER
    assert inbound[0].provider_sid.startswith("smsgate:")
    assert len(fake_smsgate.texts_to(CITIZEN_SR)) == 1


def test_serbian_local_number_in_kosovo_area(hotline, phone, fake_smsgate):
    phone.received("0641234567", "HRANA")
    hotline.run_jobs()

    assert _inbound(hotline)[0].from_number == CITIZEN_SR_CYRL
    sent = fake_smsgate.messages(to=CITIZEN_SR_CYRL)
    assert len(sent) == 1
    assert sent[0].sim_number == 2


def test_two_forms_of_one_number_share_the_conversation(hotline, phone):
    phone.received("044200001", "HRANA")
    phone.received("+38344200001", "hleb i mleko, Ulica Sumadijska 4")
    hotline.run_jobs()

    assert _citizen_count(hotline) == 1
    assert len(_inbound(hotline)) == 2


def test_replayed_event_changes_nothing(hotline, phone, fake_smsgate):
    hotline.add_volunteer(*VOLUNTEER_MARKO)

    first = phone.received(CITIZEN_SR, "treba mi hleb i lekovi", event_id="Ey6ECgOkVVFjz3CL48B8C")
    second = phone.received(CITIZEN_SR, "treba mi hleb i lekovi", event_id="Ey6ECgOkVVFjz3CL48B8C")
    hotline.run_jobs()

    assert first.get_json() == {"outcome": "stored"}
    assert second.status_code == 200
    assert second.get_json() == {"outcome": "duplicate"}
    assert len(_inbound(hotline)) == 1
    assert len(fake_smsgate.texts_to(CITIZEN_SR)) == 1


def test_same_text_new_event_id_is_stored(hotline, phone):
    # The app derives messageId from the content, so only the event id distinguishes two "DA" texts.
    phone.received(VOLUNTEER_MARKO[1], "DA", event_id="event-one")
    phone.received(VOLUNTEER_MARKO[1], "DA", event_id="event-two")

    assert len(_inbound(hotline)) == 2


def test_bad_signature_is_rejected(hotline, phone):
    response = phone.received(CITIZEN_SR, "HRANA", signing_key="not-the-phone-key")

    assert response.status_code == 403
    assert _inbound(hotline) == []


def test_missing_signature_is_rejected(hotline, phone):
    response = hotline.client.post("/smsgate/webhook", json={"event": "sms:received", "id": "x", "payload": {}},
                                   headers={"X-Timestamp": str(int(time.time()))})

    assert response.status_code == 403


def test_signature_over_changed_body_is_rejected(hotline, phone):
    captured = {}

    def capture(path, body, headers):
        captured.update(body=body, headers=headers)

    phone._post = capture
    phone.received(CITIZEN_SR, "HRANA")
    changed = captured["body"].replace(b"HRANA", b"STOP")

    response = hotline.client.post("/smsgate/webhook", data=changed, headers=captured["headers"])

    assert response.status_code == 403
    assert _inbound(hotline) == []


@pytest.mark.parametrize("age_seconds", [301, 3600, -301])
def test_timestamp_far_from_now_is_rejected(hotline, phone, age_seconds):
    response = phone.received(CITIZEN_SR, "HRANA", timestamp=int(time.time()) - age_seconds)

    assert response.status_code == 403
    assert _inbound(hotline) == []


def test_timestamp_within_five_minutes_is_accepted(hotline, phone):
    response = phone.received(CITIZEN_SR, "HRANA", timestamp=int(time.time()) - 240)

    assert response.status_code == 200


def test_webhook_without_configured_phone_is_rejected(hotline, gateway_env):
    response = PhoneWebhooks(post_with_client(hotline.client), SIGNING_KEY).received(CITIZEN_SR, "HRANA")

    assert response.status_code == 403


def test_signed_unreadable_body_is_answered_and_ignored(hotline, phone):
    body = b"not json"
    stamp = str(int(time.time()))

    response = hotline.client.post("/smsgate/webhook", data=body,
                                   headers={"X-Timestamp": stamp, "X-Signature": sign(phone.signing_key, body, stamp)})

    assert response.status_code == 200
    assert response.get_json() == {"outcome": "ignored"}


def _sent_reply(hotline, phone, fake_smsgate):
    phone.received(CITIZEN_SR, "HRANA")
    hotline.run_jobs()
    reply = _outbound_to(hotline, CITIZEN_SR)[0]
    gateway_id = fake_smsgate.messages(to=CITIZEN_SR)[0].id
    return reply, gateway_id


def test_reply_stores_the_gateway_message_id(hotline, phone, fake_smsgate):
    reply, gateway_id = _sent_reply(hotline, phone, fake_smsgate)

    assert reply.status == STATUS_SENT
    assert reply.provider_sid == f"smsgate:{gateway_id}"
    with hotline.database.session() as session:
        handoff = session.scalar(select(GatewayMessage).where(GatewayMessage.message_id == reply.id))
    assert handoff.gateway_message_id == gateway_id
    assert handoff.state == "Pending"


def test_sent_then_delivered_events_move_the_message_forward(hotline, phone, fake_smsgate):
    reply, gateway_id = _sent_reply(hotline, phone, fake_smsgate)

    phone.sent(gateway_id)
    delivered = phone.delivered(gateway_id)
    late_sent = phone.sent(gateway_id)

    assert delivered.get_json() == {"outcome": "updated"}
    assert late_sent.get_json() == {"outcome": "stale"}
    message = _outbound_to(hotline, CITIZEN_SR)[0]
    assert message.status == STATUS_DELIVERED
    with hotline.database.session() as session:
        assert session.scalar(select(GatewayMessage.state).where(GatewayMessage.message_id == reply.id)) == "Delivered"


def test_failed_event_stores_the_reason(hotline, phone, fake_smsgate):
    _, gateway_id = _sent_reply(hotline, phone, fake_smsgate)

    response = phone.failed(gateway_id, "RESULT_ERROR_NO_SERVICE")

    assert response.get_json() == {"outcome": "updated"}
    message = _outbound_to(hotline, CITIZEN_SR)[0]
    assert message.status == STATUS_FAILED
    assert message.last_error == "the gateway phone reported: RESULT_ERROR_NO_SERVICE"


def test_status_for_unknown_message_is_answered(hotline, phone):
    response = phone.delivered("never-sent-by-the-hotline")

    assert response.status_code == 200
    assert response.get_json() == {"outcome": "unknown"}


def test_ping_records_battery_and_time(hotline, phone, gateway_area):
    response = phone.ping(battery=41)

    assert response.get_json() == {"outcome": "ping"}
    with hotline.database.session() as session:
        state = session.get(GatewayPhoneState, gateway_area)
    assert state.battery_level == 41
    assert state.health_status == "pass"
    assert state.device_id == "ffffffffceb0b1db0000018e937c815b"
    assert state.last_ping_at is not None


def test_batch_sms_keyed_by_position(hotline, phone):
    batch = {"messages": [
        {"messageId": "same", "message": "HRANA", "phoneNumber": "044200001", "receivedAt": "2026-12-04T15:46:11Z"},
        {"messageId": "same", "message": "STATUS", "phoneNumber": "+381641234567",
         "receivedAt": "2026-12-04T15:46:12Z"},
    ]}

    first = phone.send("sms:batch:received", batch, event_id="batch-event-1")
    repeat = phone.send("sms:batch:received", batch, event_id="batch-event-1")

    assert first.get_json() == {"outcome": "stored,stored"}
    assert repeat.get_json() == {"outcome": "duplicate,duplicate"}
    inbound = _inbound(hotline)
    assert [message.provider_sid for message in inbound] == ["smsgate:batch-event-1:0", "smsgate:batch-event-1:1"]
    assert [message.from_number for message in inbound] == [CITIZEN_SR, CITIZEN_SR_CYRL]
