"""Fixtures for tests of areas wired to an SMS gateway phone; test modules import the ones they use.

The known world: the default area's inbound and outbound SMS go through the
dual-SIM phone "mitrovica-phone" (Kosovo numbers from SIM 1, Serbian from
SIM 2), with the fake Twilio account "twilio-backup" as fallback, and one
coordinator who gets the alerts.
"""

import pytest

from db.areas import get_default_area
from db.base import utcnow
from db.channels import KIND_SMSGATE, KIND_TWILIO, PURPOSE_SMS_IN, PURPOSE_SMS_OUT, ChannelProvider, set_channel
from tests.fake_smsgate import FakeSmsGateServer, PhoneWebhooks

PHONE_NAME = "mitrovica-phone"
BACKUP_NAME = "twilio-backup"
SIGNING_KEY = "phone-signing-key-for-tests"
COORDINATOR = "+38344999000"
TWILIO_SENDER = "+38328999999"


@pytest.fixture(scope="session")
def fake_smsgate_server():
    server = FakeSmsGateServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_smsgate(fake_smsgate_server):
    fake_smsgate_server.fake.reset()
    return fake_smsgate_server.fake


@pytest.fixture
def gateway_env(monkeypatch, fake_smsgate, fake_twilio):
    """The environment variables that the channel rows name; the rows themselves hold no secret."""
    monkeypatch.setenv("TEST_SMSGATE_USER", fake_smsgate.username)
    monkeypatch.setenv("TEST_SMSGATE_PASSWORD", fake_smsgate.password)
    monkeypatch.setenv("TEST_SMSGATE_SIGNING_KEY", SIGNING_KEY)
    monkeypatch.setenv("TEST_BACKUP_SID", fake_twilio.account_sid)
    monkeypatch.setenv("TEST_BACKUP_TOKEN", fake_twilio.auth_token)


def add_phone(session, url: str, name: str = PHONE_NAME, **settings) -> ChannelProvider:
    phone = ChannelProvider(
        name=name, kind=KIND_SMSGATE, api_base_url=url, account_env="TEST_SMSGATE_USER",
        secret_env="TEST_SMSGATE_PASSWORD", signing_key_env="TEST_SMSGATE_SIGNING_KEY",
        sim_by_prefix="+383=1,+381=2", created_at=utcnow(), updated_at=utcnow(), **settings,
    )
    session.add(phone)
    session.flush()
    return phone


def add_backup(session, url: str) -> ChannelProvider:
    backup = ChannelProvider(name=BACKUP_NAME, kind=KIND_TWILIO, api_base_url=url, account_env="TEST_BACKUP_SID",
                             secret_env="TEST_BACKUP_TOKEN", from_number=TWILIO_SENDER, created_at=utcnow(),
                             updated_at=utcnow())
    session.add(backup)
    session.flush()
    return backup


@pytest.fixture
def gateway_area(hotline, gateway_env, fake_smsgate, fake_twilio):
    """Wire the default area to the phone, with the Twilio fake as fallback; returns the phone's provider id."""
    with hotline.database.session() as session:
        area = get_default_area(session)
        area.coordinator_phone = COORDINATOR
        phone = add_phone(session, fake_smsgate.url)
        backup = add_backup(session, fake_twilio.url)
        set_channel(session, area.id, PURPOSE_SMS_IN, phone, None)
        set_channel(session, area.id, PURPOSE_SMS_OUT, phone, backup)
        return phone.id


def post_with_client(client):
    return lambda path, body, headers: client.post(path, data=body, headers=headers)


@pytest.fixture
def phone(hotline, gateway_area) -> PhoneWebhooks:
    """The phone's webhooks, posted to the app through Flask's test client."""
    return PhoneWebhooks(post_with_client(hotline.client), SIGNING_KEY)
