"""An inbound SMS, from the stored row to the replies it causes."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.area_cache import AreaNumberCache, AreaRef
from db.areas import ServiceArea, find_area_for_number
from db.base import utcnow
from db.conversations import load_conversation, save_conversation
from db.directory import find_volunteer, get_or_create_citizen
from db.messages import DIRECTION_IN, STATUS_HANDLED, STATUS_RECEIVED, Message
from db.phone_numbers import mask_phone, try_normalize_phone
from db.requests import OPEN_STATUSES, HelpRequest
from db.session import enqueue_after_commit
from ivr_flows.citizen_actions import apply_citizen_turn
from ivr_flows.citizen_sms import handle_citizen_text
from ivr_flows.understanding import detect_locale
from ivr_flows.volunteer_sms import handle_volunteer_text

log = logging.getLogger(__name__)

# Longer bodies are cut before they are stored: an SMS is at most a few segments,
# and a looping phone must not fill the database.
MAX_BODY_CHARS = 2000
PROCESS_INBOUND_JOB = "process_inbound"


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
    # "stored" (a job will act on it), "duplicate" or "unreadable_sender".
    outcome: str
    message_id: int | None = None


# Called by the job with the area and a stored message before acting on it.
# It returns True when the sender sent too many that minute; the message then
# stays stored, flagged, without a reply.
InboundLimiter = Callable[[ServiceArea, Message], bool]


def handle_inbound_sms(session: Session, sms: InboundSms, areas: AreaNumberCache | None = None) -> InboundResult:
    """Store an inbound SMS and have it processed after commit; a repeated provider id changes nothing.

    The caller commits. Only the fast, local part runs here: one INSERT in the
    webhook's own transaction, and a job for everything else, so a failure
    later in the flow leaves the message stored for the sweeper.
    """
    sms = replace(
        sms,
        provider_sid=clean_text(sms.provider_sid)[:64],
        from_number=clean_text(sms.from_number or ""),
        to_number=clean_text(sms.to_number or ""),
        body=clean_text(sms.body or "", keep_newlines=True)[:MAX_BODY_CHARS],
    )
    hotline_number = try_normalize_phone(sms.to_number)
    area = _find_area(session, sms.area_id, hotline_number, areas)
    sender = try_normalize_phone(sms.from_number, area.country)

    message_id = _store_inbound(session, area.id, sms, sender, hotline_number)
    if message_id is None:
        log.info("inbound %s is a repeat; ignored", sms.provider_sid)
        return InboundResult("duplicate")

    if sender is None:
        log.warning("inbound %s from unreadable sender %s; stored without reply", sms.provider_sid, mask_phone(sms.from_number))
        return InboundResult("unreadable_sender", message_id)

    enqueue_after_commit(session, PROCESS_INBOUND_JOB, message_id)
    return InboundResult("stored", message_id)


def _find_area(session: Session, area_id: int | None, hotline_number: str | None,
               areas: AreaNumberCache | None) -> AreaRef:
    area = session.get(ServiceArea, area_id) if area_id else None
    if area is not None:
        return AreaRef(area.id, area.country)
    if areas is not None:
        return areas.find(session, hotline_number)
    area = find_area_for_number(session, hotline_number)
    return AreaRef(area.id, area.country)


def process_inbound_sms(session: Session, message_id: int, limiter: InboundLimiter | None = None) -> int:
    """Run the conversation for a stored message and any earlier unhandled ones from the same sender.

    Returns how many messages were handled. The sender's unhandled rows are
    locked and taken in arrival order, so two workers never interleave one
    person's messages and a menu answer is never read before its question.
    """
    first = session.get(Message, message_id)
    if first is None or first.status != STATUS_RECEIVED:
        return 0

    pending = session.scalars(
        select(Message)
        .where(
            Message.area_id == first.area_id,
            Message.from_number == first.from_number,
            Message.direction == DIRECTION_IN,
            Message.status == STATUS_RECEIVED,
            Message.id <= message_id,
        )
        .order_by(Message.id)
        .with_for_update()
    ).all()
    area = session.get(ServiceArea, first.area_id)
    for message in pending:
        message.status = STATUS_HANDLED
        if limiter is not None and limiter(area, message):
            message.flag = "rate_limited"
            log.info("inbound %s from %s stored without reply: over the per-minute limit", message.provider_sid,
                     mask_phone(message.from_number))
            continue
        _act_on(session, area, message)
    return len(pending)


def _act_on(session: Session, area: ServiceArea, message: Message) -> None:
    sender, body = message.from_number, message.body
    volunteer = find_volunteer(session, area.id, sender)
    if volunteer is not None:
        message.volunteer_id = volunteer.id
        handle_volunteer_text(session, area, volunteer, body)
        log.info("inbound %s from volunteer %s handled", message.provider_sid, volunteer.id)
        return

    citizen = get_or_create_citizen(session, area.id, sender)
    message.citizen_id = citizen.id
    _learn_locale(citizen, body)
    step, data = load_conversation(session, area.id, sender)
    turn = handle_citizen_text(step, data, body, recent_request=_recent_open_request(session, citizen))
    apply_citizen_turn(session, area, citizen, turn, message)
    save_conversation(session, area.id, sender, turn.step, turn.data)
    log.info("inbound %s from citizen %s (%s) handled", message.provider_sid, citizen.id, mask_phone(sender))


# A message that is no command, this soon after a request, is read as more about it.
FOLLOW_UP_WINDOW = timedelta(hours=1)


def _recent_open_request(session: Session, citizen) -> int | None:
    return session.scalar(
        select(HelpRequest.number)
        .where(HelpRequest.citizen_id == citizen.id, HelpRequest.status.in_(OPEN_STATUSES),
               HelpRequest.created_at >= utcnow() - FOLLOW_UP_WINDOW)
        .order_by(HelpRequest.created_at.desc())
        .limit(1)
    )


def clean_text(value: str, keep_newlines: bool = False) -> str:
    """Drop control characters; PostgreSQL rejects NUL in text, and none belongs in an SMS."""
    kept = "\n\r\t" if keep_newlines else ""
    return "".join(ch for ch in value if ch >= " " or ch in kept).replace("\x7f", "")


INSERT_FOR_DIALECT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _store_inbound(
    session: Session, area_id: int, sms: InboundSms, sender: str | None, hotline_number: str | None
) -> int | None:
    """Insert the message unless its provider id is already stored; its new id, or None for a repeat.

    ON CONFLICT DO NOTHING on the unique provider_sid makes the insert itself
    the de-duplication check, which stays right when the provider retries
    while the first try still runs, and costs no savepoint.
    """
    insert = INSERT_FOR_DIALECT[session.get_bind().dialect.name]
    statement = (
        insert(Message.__table__)
        .values(
            area_id=area_id,
            direction=DIRECTION_IN,
            provider_sid=sms.provider_sid,
            from_number=sender or (sms.from_number or "")[:20],
            to_number=hotline_number,
            body=sms.body,
            # A sender that cannot be read gets no reply, so nothing is left to do.
            status=STATUS_RECEIVED if sender else STATUS_HANDLED,
            kind="inbound",
        )
        .on_conflict_do_nothing(index_elements=[Message.__table__.c.provider_sid])
        .returning(Message.__table__.c.id)
    )
    return session.execute(statement).scalar()


def _learn_locale(citizen, body: str) -> None:
    # A language the person chose with a keyword wins over a guess from their writing.
    if citizen.locale_chosen:
        return
    guessed = detect_locale(body)
    if guessed:
        citizen.locale = guessed
