"""Twilio's SMS webhooks: inbound messages and delivery status callbacks."""

import logging

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from db.delivery import apply_delivery_status
from gateway.extensions import get_database
from gateway.signatures import verify_twilio_signature
from ivr_flows.sms_inbound import InboundSms, handle_inbound_sms

log = logging.getLogger(__name__)

sms_webhooks = Blueprint("sms_webhooks", __name__, url_prefix="/twilio/sms")


def empty_twiml() -> Response:
    # Replies leave through the outbox, not in this response, so each one is a
    # stored row with a status, a cost and a retry.
    return Response(str(MessagingResponse()), mimetype="text/xml")


@sms_webhooks.post("")
@verify_twilio_signature
def inbound_sms():
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    sender = request.form.get("From")
    if not sid or not sender:
        # There is nothing to store. A 200 keeps the provider from retrying a
        # request that will never become valid.
        log.warning("inbound SMS without MessageSid or From ignored")
        return empty_twiml()

    sms = InboundSms(provider_sid=sid[:64], from_number=sender, to_number=request.form.get("To"),
                     body=request.form.get("Body", ""))
    database = get_database()
    with database.session() as session:
        handle_inbound_sms(session, sms, areas=database.area_numbers)
    return empty_twiml()


@sms_webhooks.post("/status")
@verify_twilio_signature
def sms_status():
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus")
    if not sid or not status:
        log.warning("status callback without MessageSid or MessageStatus ignored")
        return Response("", status=204)

    with get_database().session() as session:
        outcome = apply_delivery_status(session, sid, status, request.form.get("ErrorCode"))
    # An unknown or stale status still gets a success code, because the provider
    # would otherwise retry and log errors for a callback that can never apply.
    log.debug("status %s for %s: %s", status, sid, outcome)
    return Response("", status=204)
