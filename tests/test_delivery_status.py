"""Delivery status callbacks arrive twice and out of order; a status only moves forward."""

from sqlalchemy import select

from db.messages import STATUS_DELIVERED, STATUS_FAILED, STATUS_SENT, Message
from tests.conftest import CITIZEN_SR
from tests.signing import signed_post


def _status(hotline, sid: str, status: str, error_code: str | None = None):
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    if error_code:
        form["ErrorCode"] = error_code
    return signed_post(hotline.client, "/twilio/sms/status", form, hotline.token)


def _reply(hotline) -> Message:
    with hotline.database.session() as session:
        return session.scalar(select(Message).where(Message.to_number == CITIZEN_SR))


def test_status_moves_forward_only(hotline):
    hotline.text(CITIZEN_SR, "POMOC")
    sid = _reply(hotline).provider_sid

    assert _status(hotline, sid, "delivered").status_code == 204
    assert _status(hotline, sid, "sent").status_code == 204
    assert _status(hotline, sid, "queued").status_code == 204
    assert _status(hotline, sid, "delivered").status_code == 204

    assert _reply(hotline).status == STATUS_DELIVERED


def test_sent_then_failed_stores_error(hotline):
    hotline.text(CITIZEN_SR, "POMOC")
    sid = _reply(hotline).provider_sid

    _status(hotline, sid, "sent")
    assert _reply(hotline).status == STATUS_SENT
    _status(hotline, sid, "failed", error_code="30006")

    reply = _reply(hotline)
    assert reply.status == STATUS_FAILED
    assert "30006" in reply.last_error


def test_unknown_sid_is_acknowledged(hotline):
    response = _status(hotline, "SMdoesnotexist", "delivered")

    assert response.status_code == 204


def test_status_callback_needs_signature(hotline):
    response = hotline.client.post("/twilio/sms/status", data={"MessageSid": "SMx", "MessageStatus": "delivered"})

    assert response.status_code == 403
