"""A gateway phone that goes silent or falls behind: alerts, /healthz and `hotline status`."""

from datetime import timedelta

from sqlalchemy import select

from db.areas import get_default_area
from db.base import utcnow
from db.channels import ChannelProvider
from db.messages import Message
from db.sms_gateways import CONDITION_BACKLOG, CONDITION_OK, CONDITION_SILENT, GatewayPhoneState
from gateway.cli_channels import status_command
from ivr_flows.outgoing import queue_body
from tests.conftest import CITIZEN_SR
from tests.smsgate_world import (  # noqa: F401  (fixtures)
    COORDINATOR,
    TWILIO_SENDER,
    fake_smsgate,
    fake_smsgate_server,
    gateway_area,
    gateway_env,
    phone,
)
from workers.gateway_watch import watch_gateways

SILENT_ALERT = ("Upozorenje linije za pomoć: SMS telefon mitrovica-phone se ne javlja 15 min. "
                "Proverite punjenje, signal i aplikaciju za SMS.")
RECOVERED_ALERT = "Linija za pomoć: SMS telefon mitrovica-phone ponovo radi."
BACKLOG_ALERT = ("Upozorenje linije za pomoć: poruka koje čekaju na SMS telefonu mitrovica-phone: 3. "
                 "Proverite signal i kredit.")


def _condition(hotline, phone_id: int) -> str:
    with hotline.database.session() as session:
        return session.get(GatewayPhoneState, phone_id).condition


def _alerts(hotline) -> list[Message]:
    with hotline.database.session() as session:
        return session.scalars(select(Message).where(Message.kind == "gateway_alert").order_by(Message.id)).all()


def test_phone_that_stops_pinging_is_reported_once(hotline, phone, gateway_area, fake_twilio, fake_smsgate):
    phone.ping()
    pinged_at = utcnow()

    assert watch_gateways(now=pinged_at + timedelta(minutes=10)) == {"mitrovica-phone": CONDITION_OK}
    assert watch_gateways(now=pinged_at + timedelta(minutes=16)) == {"mitrovica-phone": CONDITION_SILENT}
    hotline.run_jobs()
    assert watch_gateways(now=pinged_at + timedelta(minutes=30)) == {"mitrovica-phone": CONDITION_SILENT}
    hotline.run_jobs()

    sent = fake_twilio.messages(to=COORDINATOR)
    assert [request.body for request in sent] == [SILENT_ALERT]
    assert sent[0].form["From"] == TWILIO_SENDER
    assert fake_smsgate.messages(to=COORDINATOR) == []


def test_phone_that_pings_again_is_reported_back(hotline, phone, gateway_area, fake_twilio, fake_smsgate):
    phone.ping()
    watch_gateways(now=utcnow() + timedelta(minutes=20))
    hotline.run_jobs()

    phone.ping()
    assert watch_gateways() == {"mitrovica-phone": CONDITION_OK}
    hotline.run_jobs()

    assert fake_smsgate.texts_to(COORDINATOR) == [RECOVERED_ALERT]
    assert [alert.body for alert in _alerts(hotline)] == [SILENT_ALERT, RECOVERED_ALERT]


def test_any_event_counts_as_a_sign_of_life(hotline, phone, gateway_area):
    phone.received(CITIZEN_SR, "STATUS")

    assert watch_gateways(now=utcnow() + timedelta(minutes=14)) == {"mitrovica-phone": CONDITION_OK}


def test_phone_that_never_called_is_silent_after_setup(hotline, gateway_area):
    assert watch_gateways(now=utcnow() + timedelta(minutes=16)) == {"mitrovica-phone": CONDITION_SILENT}
    assert len(_alerts(hotline)) == 1


def test_growing_backlog_is_reported(hotline, phone, gateway_area, fake_smsgate):
    with hotline.database.session() as session:
        session.get(ChannelProvider, gateway_area).backlog_alert = 3
        area = get_default_area(session)
        for number in (1, 2, 3):
            queue_body(session, area, CITIZEN_SR, f"Poruka {number}", "reply")
    hotline.run_jobs()
    phone.ping()

    assert watch_gateways() == {"mitrovica-phone": CONDITION_BACKLOG}
    hotline.run_jobs()
    assert fake_smsgate.texts_to(COORDINATOR) == [BACKLOG_ALERT]

    for sms in fake_smsgate.messages(to=CITIZEN_SR):
        phone.sent(sms.id)
    assert watch_gateways() == {"mitrovica-phone": CONDITION_OK}


def test_area_without_coordinator_changes_condition_only(hotline, gateway_area):
    with hotline.database.session() as session:
        get_default_area(session).coordinator_phone = None

    assert watch_gateways(now=utcnow() + timedelta(minutes=16)) == {"mitrovica-phone": CONDITION_SILENT}
    assert _alerts(hotline) == []
    assert _condition(hotline, gateway_area) == CONDITION_SILENT


def test_healthz_shows_the_phone_and_stays_ok(hotline, phone, gateway_area):
    phone.ping(battery=37)
    watch_gateways(now=utcnow() + timedelta(minutes=16))

    response = hotline.client.get("/healthz")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "redis": "ok"}
    gateway = body["sms_gateways"]["mitrovica-phone"]
    assert gateway["condition"] == CONDITION_SILENT
    assert gateway["battery_level"] == 37
    assert gateway["backlog"] == 1  # the alert to the coordinator, not sent yet
    assert 0 <= gateway["last_seen_seconds_ago"] < 60


def test_status_command_lists_the_phone(hotline, app, phone, gateway_area):
    phone.ping(battery=80)

    result = app.test_cli_runner().invoke(status_command)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "database: ok"
    assert lines[1] == "redis: ok"
    assert lines[2] == "SMS gateway phones:"
    assert lines[3].startswith("  mitrovica-phone: ok, last event ")
    assert lines[3].endswith(", backlog 0, sent 0/300 in the last hour, battery 80%")


def test_status_command_without_phones(hotline, app):
    result = app.test_cli_runner().invoke(status_command)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == "SMS gateway phones: none configured"
