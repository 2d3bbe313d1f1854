"""Signature checks on webhooks, and answers to malformed ones."""

from sqlalchemy import func, select

from db.messages import Message
from tests.conftest import CITIZEN_SR
from tests.signing import PUBLIC_URL, signed_post, sms_form


def _count_messages(hotline) -> int:
    with hotline.database.session() as session:
        return session.scalar(select(func.count(Message.id)))


def test_missing_signature_is_rejected(hotline):
    response = hotline.client.post("/twilio/sms", data=sms_form(CITIZEN_SR, "HRANA"))

    assert response.status_code == 403
    assert _count_messages(hotline) == 0


def test_wrong_signature_is_rejected(hotline):
    response = signed_post(hotline.client, "/twilio/sms", sms_form(CITIZEN_SR, "HRANA"), "not-the-token")

    assert response.status_code == 403
    assert _count_messages(hotline) == 0


def test_signature_over_another_url_is_rejected(hotline):
    form = sms_form(CITIZEN_SR, "HRANA")

    response = signed_post(hotline.client, "/twilio/sms", form, hotline.token, public_url="https://evil.example.org")

    assert response.status_code == 403


def test_signature_over_changed_body_is_rejected(hotline):
    form = sms_form(CITIZEN_SR, "HRANA")
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(hotline.token).compute_signature(PUBLIC_URL + "/twilio/sms", form)
    form["Body"] = "STOP"

    response = hotline.client.post("/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 403


def test_webhook_without_sender_is_answered_and_ignored(hotline):
    form = sms_form(CITIZEN_SR, "HRANA")
    del form["From"]

    response = signed_post(hotline.client, "/twilio/sms", form, hotline.token)

    assert response.status_code == 200
    assert _count_messages(hotline) == 0


def test_unreadable_sender_is_stored_without_reply(hotline):
    response = hotline.text("VALA-INFO", "Vasa dopuna je uspesna")

    assert response.status_code == 200
    assert _count_messages(hotline) == 1
    assert hotline.fake.messages() == []


def test_verification_can_be_switched_off_for_development(env, redis, caplog):
    from gateway import create_app

    app = create_app(dict(env, HOTLINE_VERIFY_SIGNATURES="false"))

    response = app.test_client().post("/twilio/sms", data=sms_form(CITIZEN_SR, "POMOC"))

    assert response.status_code == 200
    assert "signature verification is OFF" in caplog.text
