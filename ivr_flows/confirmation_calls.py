"""Confirmation calls seen from the webhooks: the script a citizen hears, and the outcome the provider reports."""

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.call_retries import retry_or_fail
from db.calls import CALL_CALLING, CALL_COMPLETED, OutboundCall
from db.people import Citizen
from db.requests import HelpRequest
from db.voice_settings import VoiceSettings, load_voice_settings
from ivr_flows.catalog import normalize_locale
from ivr_flows.voice_calls import record_call_end
from ivr_flows.voice_news import news_script

log = logging.getLogger(__name__)

# Provider CallStatus values that end a try without anyone answering.
UNANSWERED_STATUSES = ("busy", "no-answer", "failed", "canceled")


@dataclass(frozen=True)
class NewsReply:
    """The verbs of a confirmation call's turn and the area's voice settings to speak them."""

    area_id: int
    verbs: list
    settings: VoiceSettings


def answer_news_call(session: Session, call_id: int, answered_by: str | None, keys: str | None,
                     repeats: int) -> NewsReply | None:
    """Return the verbs of a confirmation call's turn, or None for an unknown call."""
    call = session.get(OutboundCall, call_id)
    if call is None:
        return None
    if answered_by and not call.answered_by:
        call.answered_by = answered_by[:30]

    request = session.get(HelpRequest, call.request_id)
    citizen = session.get(Citizen, call.citizen_id)
    locale = normalize_locale(citizen.locale, request.area.default_locale)
    verbs = news_script(call.news, request.number, locale, call.answered_by, keys, repeats)
    return NewsReply(call.area_id, verbs, load_voice_settings(session, request.area))


def record_call_status(session: Session, call_sid: str, provider_status: str, answered_by: str | None,
                       duration_seconds: int | None) -> str:
    """Store a call status callback; returns "completed", "retrying", "failed", "progress", "stale", "inbound" or "unknown"."""
    call = session.scalar(select(OutboundCall).where(OutboundCall.provider_sid == call_sid).with_for_update())
    if call is None:
        return "inbound" if record_call_end(session, call_sid, provider_status, duration_seconds) else "unknown"
    if call.status != CALL_CALLING:
        return "stale"

    now = utcnow()
    call.provider_status = provider_status[:20]
    call.updated_at = now
    if answered_by:
        call.answered_by = answered_by[:30]
    if duration_seconds is not None:
        call.duration_seconds = duration_seconds

    if provider_status == "completed":
        call.status = CALL_COMPLETED
        call.finished_at = now
        call.last_error = None
        log.info("call %s completed (answered by %s)", call.id, call.answered_by or "unknown")
        return CALL_COMPLETED
    if provider_status in UNANSWERED_STATUSES:
        return retry_or_fail(session, call, f"the call ended {provider_status}", now)
    return "progress"
