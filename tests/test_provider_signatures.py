"""Twilio-compatible engines sign webhooks with Twilio's scheme but their own key and header."""

from twilio.request_validator import RequestValidator

from db.base import utcnow
from db.channels import KIND_TWILIO, ChannelProvider
from tests.conftest import CITIZEN_SR
from tests.signing import PUBLIC_URL, sms_form

SIGNALWIRE_KEY = "PSK_signalwire_signing_key_for_tests"
SOMLENG_TOKEN = "somleng-account-auth-token"


def _add_engine(hotline, name: str, **fields) -> None:
    with hotline.database.session() as session:
        session.add(ChannelProvider(name=name, kind=KIND_TWILIO, api_base_url="http://127.0.0.1:9/api/laml",
                                    account_env="TEST_ENGINE_SID", created_at=utcnow(), updated_at=utcnow(), **fields))


def _post(hotline, key: str, header: str = "X-Twilio-Signature"):
    form = sms_form(CITIZEN_SR, "HRANA")
    signature = RequestValidator(key).compute_signature(PUBLIC_URL + "/twilio/sms", form)
    return hotline.client.post("/twilio/sms", data=form, headers={header: signature})


def test_signalwire_header_and_signing_key_are_accepted(hotline, monkeypatch):
    monkeypatch.setenv("TEST_SIGNALWIRE_KEY", SIGNALWIRE_KEY)
    monkeypatch.setenv("TEST_SIGNALWIRE_TOKEN", "api-token-is-not-the-signing-key")
    _add_engine(hotline, "signalwire-north", secret_env="TEST_SIGNALWIRE_TOKEN", signing_key_env="TEST_SIGNALWIRE_KEY")

    response = _post(hotline, SIGNALWIRE_KEY, header="X-SignalWire-Signature")

    assert response.status_code == 200


def test_signalwire_key_in_twilio_header_is_accepted(hotline, monkeypatch):
    monkeypatch.setenv("TEST_SIGNALWIRE_KEY", SIGNALWIRE_KEY)
    _add_engine(hotline, "signalwire-north", signing_key_env="TEST_SIGNALWIRE_KEY")

    assert _post(hotline, SIGNALWIRE_KEY).status_code == 200


def test_api_token_does_not_replace_the_signing_key(hotline, monkeypatch):
    monkeypatch.setenv("TEST_SIGNALWIRE_KEY", SIGNALWIRE_KEY)
    monkeypatch.setenv("TEST_SIGNALWIRE_TOKEN", "api-token-is-not-the-signing-key")
    _add_engine(hotline, "signalwire-north", secret_env="TEST_SIGNALWIRE_TOKEN", signing_key_env="TEST_SIGNALWIRE_KEY")

    response = _post(hotline, "api-token-is-not-the-signing-key", header="X-SignalWire-Signature")

    assert response.status_code == 403


def test_somleng_signs_with_its_auth_token(hotline, monkeypatch):
    monkeypatch.setenv("TEST_SOMLENG_TOKEN", SOMLENG_TOKEN)
    _add_engine(hotline, "somleng-local", secret_env="TEST_SOMLENG_TOKEN")

    assert _post(hotline, SOMLENG_TOKEN).status_code == 200


def test_unknown_key_is_rejected(hotline, monkeypatch):
    monkeypatch.setenv("TEST_SOMLENG_TOKEN", SOMLENG_TOKEN)
    _add_engine(hotline, "somleng-local", secret_env="TEST_SOMLENG_TOKEN")

    assert _post(hotline, "somebody-elses-token").status_code == 403


def test_engine_with_unset_variable_leaves_other_keys_working(hotline):
    _add_engine(hotline, "signalwire-north", signing_key_env="TEST_UNSET_SIGNING_KEY")

    assert _post(hotline, hotline.token).status_code == 200
    assert _post(hotline, SIGNALWIRE_KEY).status_code == 403
