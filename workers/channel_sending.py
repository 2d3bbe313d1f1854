"""The parts of the send job that depend on the area's channels: route, hourly limit, handoff record."""

import logging
import random
from datetime import timedelta

from sqlalchemy.orm import Session

from db.base import utcnow
from db.channels import KIND_SMSGATE, PURPOSE_SMS_OUT
from db.messages import STATUS_RETRYING, Message
from db.sms_gateways import record_handoff
from workers.providers.registry import HeldBack, Route, SentThrough
from workers.providers.smsgate_provider import SID_PREFIX
from workers.send_rate import SendRateLimiter

log = logging.getLogger(__name__)

# Held-back messages would all wake at the second a slot frees; a few seconds
# of spread keeps them from racing for that one slot.
HOLD_JITTER_SECONDS = 5


def choose_route(context, session: Session, message: Message) -> Route | None:
    """Return the providers for an outbound SMS of the message's area; None when nothing can send."""
    return context.providers.route(session, message.area_id, PURPOSE_SMS_OUT)


def check_hourly_limit(limiter: SendRateLimiter | None, route: Route) -> HeldBack | None:
    """Return HeldBack when the first provider is a phone at its hourly limit, without taking a slot.

    The send itself takes the slot; checking first keeps a held message from
    being counted by the daily reply limit on every wake-up.
    """
    step = route.first
    if limiter is None or step.max_per_hour <= 0 or step.channel_id is None:
        return None
    wait = limiter.wait_seconds(step.channel_id, step.max_per_hour)
    if wait <= 0:
        return None
    return HeldBack(step.label, step.max_per_hour, wait)


def hold_back(session: Session, message: Message, held: HeldBack) -> timedelta:
    """Put a claimed message back to retrying until the phone has a free slot; returns the delay.

    The claim counted an attempt, which is given back: waiting for a slot is
    not a failed try and must not use up the retries.
    """
    delay = timedelta(seconds=held.wait_seconds + random.uniform(0, HOLD_JITTER_SECONDS))
    message.status = STATUS_RETRYING
    message.attempts = max(0, message.attempts - 1)
    message.next_attempt_at = utcnow() + delay
    message.updated_at = utcnow()
    message.last_error = (f"held back: SMS gateway phone {held.label} reached its limit of "
                          f"{held.max_per_hour} SMS per hour")
    log.info("message %s held back %.0fs: phone %s at %s SMS per hour", message.id, delay.total_seconds(),
             held.label, held.max_per_hour)
    return delay


def record_sent_through(session: Session, message: Message, sent: SentThrough) -> None:
    """Remember which gateway phone took a message, so its backlog and later states can be followed."""
    if sent.step.kind != KIND_SMSGATE or sent.step.channel_id is None:
        return
    gateway_id = sent.receipt.sid.removeprefix(SID_PREFIX)
    record_handoff(session, sent.step.channel_id, message.id, gateway_id, sent.receipt.status)
