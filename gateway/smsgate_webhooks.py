"""POST /smsgate/webhook: every event of the SMS Gateway for Android phones."""

import logging

from flask import Blueprint, g, jsonify, request

from gateway.extensions import get_database
from gateway.smsgate_events import handle_gateway_event
from gateway.smsgate_signatures import verify_smsgate_signature

log = logging.getLogger(__name__)

smsgate_webhooks = Blueprint("smsgate_webhooks", __name__, url_prefix="/smsgate")


@smsgate_webhooks.post("/webhook")
@verify_smsgate_signature
def webhook():
    event = request.get_json(silent=True)
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        # Signed by our phone but unreadable: a 200 stops the app from retrying
        # it for two days, since no retry can make it readable.
        log.warning("SMS gateway webhook without a JSON event ignored")
        return jsonify(outcome="ignored")

    with get_database().session() as session:
        outcome = handle_gateway_event(session, g.gateway_id, event)
    log.info("SMS gateway event %s %s from provider %s: %s", event.get("event"), event.get("id"), g.gateway_id,
             outcome)
    return jsonify(outcome=outcome)

