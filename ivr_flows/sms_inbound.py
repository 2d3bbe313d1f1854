"""An inbound SMS, from the stored row to the replies it causes."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.areas import ServiceArea, find_area_for_number
from db.conversations import load_conversation, save_conversation
from db.directory import find_volunteer, get_or_create_citizen
from db.messages import DIRECTION_IN, STATUS_RECEIVED, Message
from db.phone_numbers import mask_phone, try_normalize_phone
from ivr_flows.citizen_actions import apply_citizen_turn
from ivr_flows.citizen_sms import handle_citizen_text
from ivr_flows.understanding import detect_locale
from ivr_flows.volunteer_sms import handle_volunteer_text

log = logging.getLogger(__name__)

# Longer bodies are cut before they are stored: an SMS is at most a few segments,
# and a looping phone must not fill the database.
MAX_BODY_CHARS = 2000


@dataclass(frozen=True)
class InboundSms:
    """The few fields of an inbound SMS that the hotline reads."""

    provider_sid: str
    from_number: str
    to_number: str | None
    body: str
    # Set when the channel identifies the area, as an SMS gateway phone serving
    # known areas does. Otherwise to_number decides the area.
    area_id: int | None = None


@dataclass(frozen=True)
class InboundResult:
    # "handled", "duplicate", "unreadable_sender" or "rate_limited".
    outcome: str
    message_id: int | None = None


# Called with the area and the sender's number for each new inbound message;
# returns True when the number sent too many and the message is only stored.
InboundLimiter = Callable[[ServiceArea, str], bool]


def handle_inbound_sms(session: Session, sms: InboundSms, limiter: InboundLimiter | None = None) -> InboundResult:
    """Store an inbound SMS and act on it; a repeated provider id changes nothing.

    The caller commits. The stored row comes first, so a failure later in the
    flow still leaves the message in the database for a coordinator.
    """
    sms = replace(
        sms,
        provider_sid=clean_text(sms.provider_sid)[:64],
        from_number=clean_text(sms.from_number or ""),
        to_number=clean_text(sms.to_number or ""),
        body=clean_text(sms.body or "", keep_newlines=True)[:MAX_BODY_CHARS],
    )
    hotline_number = try_normalize_phone(sms.to_number)
    area = session.get(ServiceArea, sms.area_id) if sms.area_id else None
    area = area or find_area_for_number(session, hotline_number)
    sender = try_normalize_phone(sms.from_number, area.country)
    body = (sms.body or "")[:MAX_BODY_CHARS]

    message = _store_inbound(session, area, sms, sender, hotline_number, body)
    if message is None:
        log.info("inbound %s is a repeat; ignored", sms.provider_sid)
        return InboundResult("duplicate")

    if sender is None:
        log.warning("inbound %s from unreadable sender %s; stored without reply", sms.provider_sid, mask_phone(sms.from_number))
        return InboundResult("unreadable_sender", message.id)

    if limiter is not None and limiter(area, sender):
        message.flag = "rate_limited"
        log.info("inbound %s from %s stored without reply: over the per-minute limit", sms.provider_sid,
                 mask_phone(sender))
        return InboundResult("rate_limited", message.id)

    volunteer = find_volunteer(session, area.id, sender)
    if volunteer is not None:
        message.volunteer_id = volunteer.id
        handle_volunteer_text(session, area, volunteer, body)
        log.info("inbound %s from volunteer %s handled", sms.provider_sid, volunteer.id)
        return InboundResult("handled", message.id)

    citizen = get_or_create_citizen(session, area.id, sender)
    message.citizen_id = citizen.id
    _learn_locale(citizen, body)
    step, data = load_conversation(session, area.id, sender)
    turn = handle_citizen_text(step, data, body)
    apply_citizen_turn(session, area, citizen, turn, message)
    save_conversation(session, area.id, sender, turn.step, turn.data)
    log.info("inbound %s from citizen %s (%s) handled", sms.provider_sid, citizen.id, mask_phone(sender))
    return InboundResult("handled", message.id)


def clean_text(value: str, keep_newlines: bool = False) -> str:
    """Drop control characters; PostgreSQL rejects NUL in text, and none belongs in an SMS."""
    kept = "\n\r\t" if keep_newlines else ""
    return "".join(ch for ch in value if ch >= " " or ch in kept).replace("\x7f", "")


def _store_inbound(
    session: Session, area: ServiceArea, sms: InboundSms, sender: str | None, hotline_number: str | None, body: str
) -> Message | None:
    # The unique provider_sid makes the insert itself the de-duplication check,
    # which stays right when the provider retries while the first try still runs.
    message = Message(
        area_id=area.id,
        direction=DIRECTION_IN,
        provider_sid=sms.provider_sid,
        from_number=sender or (sms.from_number or "")[:20],
        to_number=hotline_number,
        body=body,
        status=STATUS_RECEIVED,
        kind="inbound",
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None
    return message


def _learn_locale(citizen, body: str) -> None:
    # A language the person chose with a keyword wins over a guess from their writing.
    if citizen.locale_chosen:
        return
    guessed = detect_locale(body)
    if guessed:
        citizen.locale = guessed
