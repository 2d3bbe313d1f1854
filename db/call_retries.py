"""When an unanswered confirmation call is tried again: spaced out, within calling hours, at most three times."""

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.calls import CALL_FAILED, CALL_RETRYING, PLACE_CALL_JOB, OutboundCall
from db.session import enqueue_after_commit
from db.voice_settings import load_voice_settings

log = logging.getLogger(__name__)

# Waits after the first, second and third unanswered try. They grow because an
# elderly person out at the shop or the doctor is likely home after one of them.
RETRY_SPACING = (timedelta(minutes=30), timedelta(hours=2), timedelta(hours=4))
MAX_CALL_ATTEMPTS = 1 + len(RETRY_SPACING)


def retry_or_fail(session: Session, call: OutboundCall, reason: str, now: datetime) -> str:
    """Schedule the next try of an unanswered or failed call, or mark it failed when the tries are used up.

    The next try waits its spacing and then for the area's calling hours.
    Returns the call's new status.
    """
    call.last_error = reason[:500]
    call.updated_at = now
    if call.attempts >= MAX_CALL_ATTEMPTS:
        call.status = CALL_FAILED
        call.finished_at = now
        log.warning("call %s failed after %s tries: %s", call.id, call.attempts, reason)
        return CALL_FAILED

    area = session.get(ServiceArea, call.area_id)
    calling = load_voice_settings(session, area).calling
    spacing = RETRY_SPACING[max(0, call.attempts - 1)]
    call.status = CALL_RETRYING
    call.next_attempt_at = calling.next_opening(now + spacing)
    delay = (call.next_attempt_at - now).total_seconds()
    enqueue_after_commit(session, PLACE_CALL_JOB, call.id, delay_seconds=delay)
    log.info("call %s will be tried again at %s (try %s): %s", call.id, call.next_attempt_at.isoformat(),
             call.attempts + 1, reason)
    return CALL_RETRYING
