"""An incoming call turn by turn: the stored call state, the voice tree, and the requests it makes.

Every webhook of a call carries the number of its turn. The call row is
locked while a turn is handled, so the webhooks of one call run one at a time.
A turn handled before gets its stored reply again and changes nothing.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.areas import ServiceArea, find_area_for_number
from db.base import utcnow
from db.calls import VoiceCall, VoiceCallStep
from db.directory import get_or_create_citizen
from db.event_notes import VOICE_MESSAGE_FOR_STAFF
from db.lifecycle import create_request, escalate_request
from db.people import Citizen
from db.phone_numbers import format_for_people, mask_phone, try_normalize_phone
from db.requests import CHANNEL_VOICE, KIND_COORDINATOR, OPEN_STATUSES, HelpRequest
from db.voice_settings import VoiceSettings, load_voice_settings
from ivr_flows.catalog import normalize_locale
from ivr_flows.citizen_actions import open_request
from ivr_flows.notifications import alert_coordinator
from ivr_flows.voice_texts import VOICE_MESSAGE_ALERT
from ivr_flows.voice_tree import (
    EVENT_RECORDING,
    EVENT_START,
    STEP_RECORD,
    STEP_START,
    CallEvent,
    CallFacts,
    CallState,
    CreateRequest,
    RequestFacts,
    SetLocale,
    VoiceTurn,
    next_turn,
)
from ivr_flows.voice_verbs import Digits, Gather, RequestNumber, verbs_from_json, verbs_to_json

log = logging.getLogger(__name__)

# Twilio reports a withheld caller ID in From as a word such as ANONYMOUS or
# RESTRICTED, and before its change of 16 November 2022 spelled the word in
# keypad digits (ANONYMOUS is +266696687).
HIDDEN_CALLER_IDS = {
    "anonymous", "restricted", "unknown", "unavailable", "blocked", "private",
    "+266696687", "+7378742833", "+8656696", "+86282452253", "+2562533",
}


@dataclass(frozen=True)
class CallWebhook:
    """The fields of a voice webhook that the tree needs; turn 0 is the call's first webhook."""

    call_sid: str
    from_number: str | None
    to_number: str | None
    turn: int
    event: CallEvent


@dataclass(frozen=True)
class CallReply:
    """The verbs of a reply and the area's voice settings to speak them; their webhooks carry turn."""

    area_id: int
    turn: int
    verbs: list
    settings: VoiceSettings


def answer_call(session: Session, webhook: CallWebhook) -> CallReply:
    """Build the reply to one turn of a call, or replay the stored one for a repeated turn. The caller commits."""
    call, created = _lock_call(session, webhook)
    if created:
        return _answer_turn(session, call, webhook.turn, CallEvent(EVENT_START))
    if webhook.turn != call.turn:
        return _replay(session, call, webhook.turn)
    return _answer_turn(session, call, webhook.turn, webhook.event)


def store_recording(session: Session, call_sid: str, turn: int, recording_url: str, seconds: int) -> str:
    """Apply a recording status callback; returns "request_created", "updated", "duplicate", "empty" or "unknown".

    A caller who hangs up during a recording may never make the action webhook
    of that turn, so the callback handles the turn itself. Whichever of the
    two comes second finds the turn answered and changes nothing.
    """
    call = _find_call(session, call_sid)
    if call is None:
        return "unknown"
    if seconds <= 0:
        # The action webhook or the silence redirect of the turn handles an empty recording.
        return "empty"

    if turn == call.turn and CallState.from_json(call.state).step == STEP_RECORD:
        event = CallEvent(EVENT_RECORDING, recording_url=recording_url, recording_seconds=seconds)
        _answer_turn(session, call, turn, event)
        return "request_created"

    request = session.get(HelpRequest, call.request_id) if call.request_id else None
    if request is not None and not request.recording_url:
        _attach_recording(request, recording_url, seconds)
        return "updated"
    return "duplicate"


def record_call_end(session: Session, call_sid: str, provider_status: str, duration_seconds: int | None) -> bool:
    """Store how an incoming call ended; False when the call is unknown."""
    call = _find_call(session, call_sid)
    if call is None:
        return False
    call.provider_status = provider_status[:20]
    call.duration_seconds = duration_seconds
    call.ended_at = call.updated_at = utcnow()
    return True


def _answer_turn(session: Session, call: VoiceCall, turn: int, event: CallEvent) -> CallReply:
    area = session.get(ServiceArea, call.area_id)
    citizen = session.get(Citizen, call.citizen_id) if call.citizen_id else None
    state = CallState.from_json(call.state)
    settings = load_voice_settings(session, area)

    result = next_turn(state, event, _call_facts(session, area, citizen, settings))
    verbs = _carry_out(session, area, citizen, call, result)

    session.add(VoiceCallStep(call_id=call.id, turn=turn, event=_describe(event), reply=verbs_to_json(verbs)))
    call.turn = turn + 1
    call.step = result.state.step
    call.state = result.state.to_json()
    call.updated_at = utcnow()
    log.info("call %s turn %s: %s -> %s", call.id, turn, _describe(event), result.state.step)
    return CallReply(area.id, call.turn, verbs, settings)


def _replay(session: Session, call: VoiceCall, turn: int) -> CallReply:
    step = session.scalar(select(VoiceCallStep).where(VoiceCallStep.call_id == call.id, VoiceCallStep.turn == turn))
    if step is None:
        # A turn the hotline never offered: the call goes on from its latest reply.
        log.warning("call %s got a webhook for turn %s but expects turn %s", call.id, turn, call.turn)
        step = session.scalar(select(VoiceCallStep).where(VoiceCallStep.call_id == call.id)
                              .order_by(VoiceCallStep.turn.desc()).limit(1))
    else:
        log.info("call %s turn %s repeated; the stored reply is sent again", call.id, turn)
    settings = load_voice_settings(session, session.get(ServiceArea, call.area_id))
    return CallReply(call.area_id, step.turn + 1, verbs_from_json(step.reply), settings)


def _lock_call(session: Session, webhook: CallWebhook) -> tuple[VoiceCall, bool]:
    """Return the locked call row and whether this webhook created it."""
    call = _find_call(session, webhook.call_sid)
    if call is not None:
        return call, False

    area = find_area_for_number(session, try_normalize_phone(webhook.to_number))
    caller = _caller_number(webhook.from_number, area)
    citizen = get_or_create_citizen(session, area.id, caller) if caller else None
    # A step webhook for an unknown call (its row was lost) starts the call over
    # at the turn it names, so the URLs of the reply stay in sequence.
    call = VoiceCall(call_sid=webhook.call_sid, area_id=area.id, citizen_id=citizen.id if citizen else None,
                     step=STEP_START, state=CallState(STEP_START).to_json(), turn=webhook.turn)
    try:
        with session.begin_nested():
            session.add(call)
    except IntegrityError:
        # The provider repeated the first webhook while the first try was running.
        return _find_call(session, webhook.call_sid), False
    log.info("call %s from %s started in area %s", call.id, mask_phone(caller), area.id)
    return call, True


def _find_call(session: Session, call_sid: str) -> VoiceCall | None:
    return session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid).with_for_update())


def _caller_number(raw: str | None, area: ServiceArea) -> str | None:
    if not raw or raw.strip().lower() in HIDDEN_CALLER_IDS:
        return None
    return try_normalize_phone(raw, area.country)


def _call_facts(session: Session, area: ServiceArea, citizen: Citizen | None, settings: VoiceSettings) -> CallFacts:
    now = utcnow()
    zone = settings.office.time_zone

    def find_request(number: int) -> RequestFacts | None:
        if citizen is None:
            return None
        # A caller hears only their own requests, so guessing numbers reveals nothing.
        request = session.scalar(select(HelpRequest).where(
            HelpRequest.area_id == area.id, HelpRequest.number == number, HelpRequest.citizen_id == citizen.id))
        return _request_facts(request, zone, now) if request else None

    latest = None
    if citizen is not None:
        latest = session.scalar(
            select(HelpRequest)
            .where(HelpRequest.citizen_id == citizen.id, HelpRequest.status.in_(OPEN_STATUSES))
            .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc()).limit(1)
        )
    return CallFacts(
        default_locale=normalize_locale(area.default_locale),
        caller_locale=normalize_locale(citizen.locale) if citizen is not None and citizen.locale else None,
        caller_hidden=citizen is None,
        office_open=settings.office.is_open(now),
        coordinator_phone=area.coordinator_phone,
        dial_timeout_seconds=settings.dial_timeout_seconds,
        max_recording_seconds=settings.max_recording_seconds,
        latest_request=_request_facts(latest, zone, now) if latest else None,
        find_request=find_request,
    )


def _request_facts(request: HelpRequest, zone: ZoneInfo, now: datetime) -> RequestFacts:
    days = None
    if request.accepted_at is not None:
        days = (now.astimezone(zone).date() - request.accepted_at.astimezone(zone).date()).days
    return RequestFacts(request.number, request.status, days)


def _carry_out(session: Session, area: ServiceArea, citizen: Citizen | None, call: VoiceCall,
               result: VoiceTurn) -> list:
    request = None
    for action in result.actions:
        if isinstance(action, SetLocale) and citizen is not None:
            citizen.locale = action.locale
            citizen.locale_chosen = True
        elif isinstance(action, CreateRequest):
            request = _request_from_recording(session, area, citizen, call, action)
    if request is None:
        return result.verbs
    return [_with_number(verb, request.number) for verb in result.verbs]


def _request_from_recording(session: Session, area: ServiceArea, citizen: Citizen, call: VoiceCall,
                            action: CreateRequest) -> HelpRequest:
    if call.request_id is not None:
        return session.get(HelpRequest, call.request_id)

    if action.kind == KIND_COORDINATOR:
        # A message for the staff goes to the coordinators, never to volunteers.
        request = create_request(session, citizen, KIND_COORDINATOR, None, channel=CHANNEL_VOICE)
        escalate_request(session, request, VOICE_MESSAGE_FOR_STAFF)
        alert_coordinator(session, area, VOICE_MESSAGE_ALERT, request, "voice_message_alert",
                          phone=format_for_people(citizen.phone))
    else:
        # TODO: only coordinators may fetch recordings, so the volunteer's task SMS
        # shows "-" for what was asked and the volunteer learns it by calling back.
        request = open_request(session, area, citizen, action.kind, None, action.document_type, channel=CHANNEL_VOICE)
    _attach_recording(request, action.recording_url, action.recording_seconds)
    call.request_id = request.id
    return request


def _attach_recording(request: HelpRequest, recording_url: str, seconds: int) -> None:
    request.recording_url = recording_url[:500]
    request.recording_seconds = seconds
    request.updated_at = utcnow()


def _with_number(verb, number: int):
    if isinstance(verb, RequestNumber):
        return Digits(str(number), verb.locale)
    if isinstance(verb, Gather):
        return replace(verb, parts=tuple(_with_number(part, number) for part in verb.parts))
    return verb


def _describe(event: CallEvent) -> str:
    if event.kind == "keys":
        return f"keys {event.digits}"[:80]
    if event.kind == EVENT_RECORDING:
        return f"recording {event.recording_seconds}s"
    if event.kind == "dial":
        return f"dial {event.dial_status}"[:80]
    return event.kind
