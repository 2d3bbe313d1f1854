"""Events from an SMS gateway phone, turned into the same rows and flows as Twilio's webhooks."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.areas import AreaNumber, ServiceArea
from db.channels import PURPOSE_SMS_IN, ChannelProvider, areas_using
from db.delivery import apply_delivery_status
from db.messages import Message
from db.phone_numbers import try_normalize_phone
from db.sms_gateways import record_event, record_ping, update_handoff_state
from ivr_flows.sms_inbound import InboundSms, handle_inbound_sms
from workers.providers.smsgate_provider import SID_PREFIX

log = logging.getLogger(__name__)

EVENT_RECEIVED = "sms:received"
# Sent instead of sms:received when the app's webhook delivery mode is Batch.
EVENT_BATCH_RECEIVED = "sms:batch:received"
EVENT_PING = "system:ping"
# Gateway event -> (status name that db.delivery ranks, the app's own state name).
STATUS_EVENTS = {
    "sms:sent": ("sent", "Sent"),
    "sms:delivered": ("delivered", "Delivered"),
    "sms:failed": ("failed", "Failed"),
}


def handle_gateway_event(session: Session, gateway_id: int, event: dict) -> str:
    """Apply one verified event from a gateway phone; returns what happened, for the log and the HTTP response.

    Inbound SMS are keyed by the event's id, because the app's messageId is
    derived from the content and two "DA 159" texts would share it.
    """
    gateway = session.get(ChannelProvider, gateway_id)
    record_event(session, gateway, _text(event.get("deviceId")))
    kind = event.get("event")
    payload = event.get("payload") if isinstance(event.get("payload"), dict) else {}

    if kind == EVENT_RECEIVED:
        return _receive(session, gateway, _text(event.get("id")), payload)
    if kind == EVENT_BATCH_RECEIVED:
        return _receive_batch(session, gateway, _text(event.get("id")), payload)
    if kind in STATUS_EVENTS:
        return _apply_status(session, kind, payload)
    if kind == EVENT_PING:
        record_ping(session, gateway, payload.get("health"))
        return "ping"

    # app:started, MMS and data SMS events prove the phone is alive, nothing more.
    log.info("SMS gateway %s: event %s ignored", gateway.name, kind)
    return "ignored"


def _receive(session: Session, gateway: ChannelProvider, event_id: str | None, payload: dict) -> str:
    sender = _text(payload.get("phoneNumber")) or _text(payload.get("sender"))
    if not event_id or not sender:
        log.warning("SMS gateway %s: sms:received without id or phoneNumber ignored", gateway.name)
        return "ignored"

    area_id, to_number = _area_for(session, gateway, _text(payload.get("recipient")))
    sms = InboundSms(provider_sid=(SID_PREFIX + event_id)[:64], from_number=sender, to_number=to_number,
                     body=_text(payload.get("message")) or "", area_id=area_id)
    return handle_inbound_sms(session, sms).outcome


def _receive_batch(session: Session, gateway: ChannelProvider, event_id: str | None, payload: dict) -> str:
    # One event id covers the whole batch, so each SMS is keyed by its position in it.
    messages = payload.get("messages") if isinstance(payload.get("messages"), list) else []
    outcomes = [_receive(session, gateway, f"{event_id}:{index}" if event_id else None, item)
                for index, item in enumerate(messages) if isinstance(item, dict)]
    return ",".join(outcomes) or "ignored"


def _area_for(session: Session, gateway: ChannelProvider, recipient: str | None) -> tuple[int | None, str | None]:
    """Return the area and hotline number of an SMS the phone received.

    The SIM's number, when the app reports it, picks the area that owns it;
    otherwise the area whose inbound channel is this phone. None leaves the
    choice to the default area.
    """
    hotline_number = try_normalize_phone(recipient)
    if hotline_number:
        owner = session.scalar(select(AreaNumber.area_id).where(AreaNumber.phone == hotline_number))
        if owner is not None:
            return owner, hotline_number

    area_ids = areas_using(session, gateway.id, (PURPOSE_SMS_IN,))
    if not area_ids:
        return None, hotline_number
    if len(area_ids) > 1:
        log.warning("SMS gateway %s receives for areas %s; the SMS goes to area %s", gateway.name, area_ids,
                    area_ids[0])
    area = session.get(ServiceArea, area_ids[0])
    return area.id, hotline_number or area.sender_number


def _apply_status(session: Session, kind: str, payload: dict) -> str:
    gateway_message_id = _text(payload.get("messageId"))
    if not gateway_message_id:
        return "ignored"

    sid = SID_PREFIX + gateway_message_id
    ours, theirs = STATUS_EVENTS[kind]
    outcome = apply_delivery_status(session, sid, ours, None)
    message = session.scalar(select(Message).where(Message.provider_sid == sid))
    if message is None:
        # A message sent from the phone by hand, or one deleted by retention.
        return outcome
    update_handoff_state(session, message.id, theirs)
    reason = _text(payload.get("reason"))
    if outcome == "updated" and kind == "sms:failed" and reason:
        message.last_error = f"the gateway phone reported: {reason}"[:500]
    return outcome


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None
