"""The job that runs the conversation for a stored inbound SMS."""

import logging

from ivr_flows.sms_inbound import process_inbound_sms
from workers.context import get_context
from workers.limits import inbound_over_limit

log = logging.getLogger(__name__)


def process_inbound(message_id: int) -> int:
    """Act on one stored inbound message (and earlier ones from its sender); returns how many were handled."""
    context = get_context()

    def over_limit(area, message) -> bool:
        if context.redis is None:
            return False
        return inbound_over_limit(context.redis, area.id, message.from_number, area.inbound_per_minute, message.id,
                                  message.created_at)

    with context.database.session() as session:
        handled = process_inbound_sms(session, message_id, limiter=over_limit)
    log.debug("inbound message %s: %s handled", message_id, handled)
    return handled
