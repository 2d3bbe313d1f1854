"""The job that runs the conversation for a stored inbound SMS."""

import logging

from ivr_flows.sms_inbound import process_inbound_sms
from workers.context import get_context

log = logging.getLogger(__name__)


def process_inbound(message_id: int) -> int:
    """Act on one stored inbound message (and earlier ones from its sender); returns how many were handled."""
    with get_context().database.session() as session:
        handled = process_inbound_sms(session, message_id)
    log.debug("inbound message %s: %s handled", message_id, handled)
    return handled
