"""Twilio's voice webhooks: incoming calls turn by turn, recordings, call status, confirmation calls, audio."""

import logging

from flask import Blueprint, Response, abort, request, send_from_directory
from werkzeug.exceptions import HTTPException

from db.areas import ServiceArea
from db.voice_settings import VOICE_LANGUAGES, default_voice_settings, load_voice_settings
from gateway.extensions import get_database, get_settings
from gateway.signatures import verify_twilio_signature
from gateway.voice_twiml import ReplyUrls, render_verbs
from ivr_flows.confirmation_calls import answer_news_call, record_call_status
from ivr_flows.voice_calls import CallWebhook, answer_call, store_recording
from ivr_flows.voice_prompts import RECORDING_SUFFIXES, PromptVoices, prompts_root
from ivr_flows.voice_tree import EVENT_DIAL, EVENT_KEYS, EVENT_RECORDING, EVENT_SILENCE, EVENT_START, CallEvent
from ivr_flows.voice_verbs import Hangup, Prompt

log = logging.getLogger(__name__)

voice_webhooks = Blueprint("voice_webhooks", __name__, url_prefix="/twilio/voice")

STEP_PATH = "/twilio/voice/step"
MAX_DIGITS = 20


@voice_webhooks.post("")
@verify_twilio_signature
def incoming_call():
    return _answer_turn(0, CallEvent(EVENT_START))


@voice_webhooks.post("/step")
@verify_twilio_signature
def call_step():
    turn = request.args.get("turn", type=int)
    if turn is None or turn < 0:
        # Only the hotline writes these URLs; a step without a turn cannot be placed in any call.
        log.warning("voice step without a valid turn ignored: %s", request.query_string[:100])
        return _twiml(render_verbs([Hangup()], None, None))
    return _answer_turn(turn, _read_event(request.args.get("event")))


@voice_webhooks.post("/recording")
@verify_twilio_signature
def recording_status():
    sid = request.form.get("CallSid")
    url = request.form.get("RecordingUrl")
    turn = request.args.get("turn", type=int)
    if not sid or not url or turn is None or request.form.get("RecordingStatus", "completed") != "completed":
        # Failed or absent recordings carry nothing to keep; a 200 stops the provider's retries.
        log.info("recording callback without a completed recording ignored (call %s)", sid)
        return Response("", status=204)

    with get_database().session() as session:
        outcome = store_recording(session, sid, turn, url, _seconds(request.form.get("RecordingDuration")))
    log.info("recording callback for turn %s: %s", turn, outcome)
    return Response("", status=204)


@voice_webhooks.post("/status")
@verify_twilio_signature
def call_status():
    sid = request.form.get("CallSid")
    status = request.form.get("CallStatus")
    if not sid or not status:
        log.warning("call status callback without CallSid or CallStatus ignored")
        return Response("", status=204)

    with get_database().session() as session:
        outcome = record_call_status(session, sid, status, request.form.get("AnsweredBy"),
                                     _seconds(request.form.get("CallDuration"), default=None))
    # An unknown or stale status still gets a 200 response, because the provider
    # would otherwise retry and log errors for a callback that can never apply.
    log.info("call status %s: %s", status, outcome)
    return Response("", status=204)


@voice_webhooks.post("/news/<int:call_id>")
@verify_twilio_signature
def confirmation_call(call_id: int):
    repeats = request.args.get("repeats", default=0, type=int)
    keys = None
    if request.args.get("event") == EVENT_SILENCE:
        keys = ""
    elif "Digits" in request.form:
        keys = request.form.get("Digits", "")[:MAX_DIGITS]

    with get_database().session() as session:
        reply = answer_news_call(session, call_id, request.form.get("AnsweredBy"), keys, repeats)
    if reply is None:
        log.warning("confirmation call %s is unknown; hanging up", call_id)
        return _twiml(render_verbs([Hangup()], None, None))

    urls = ReplyUrls(f"/twilio/voice/news/{call_id}?repeats={repeats + 1}", None, _audio_base(), reply.area_id)
    return _twiml(render_verbs(reply.verbs, PromptVoices(reply.settings, _prompts_root()), urls))


@voice_webhooks.get("/audio/<int:area_id>/<language>/<path:filename>")
def audio(area_id: int, language: str, filename: str):
    # Prompts are the same for every caller and hold no personal data, and the
    # provider fetches them without a signature, so they are served openly.
    if language not in VOICE_LANGUAGES or not filename.endswith(RECORDING_SUFFIXES):
        abort(404)
    with get_database().session() as session:
        area = session.get(ServiceArea, area_id)
        if area is None:
            abort(404)
        voices = PromptVoices(load_voice_settings(session, area), _prompts_root())
    return send_from_directory(voices.audio_dir(language), filename, max_age=3600)


@voice_webhooks.errorhandler(Exception)
def apologize(error: Exception):
    if isinstance(error, HTTPException):
        return error
    # A caller must hear something human rather than the provider's error message.
    log.exception("voice webhook %s failed", request.path)
    settings = default_voice_settings(ServiceArea(id=0, time_zone="Europe/Belgrade"))
    verbs = [*(Prompt("technical_problem", locale) for locale in ("sr_Latn", "sq", "en")), Hangup()]
    return _twiml(render_verbs(verbs, PromptVoices(settings, _prompts_root()), ReplyUrls("", None, _audio_base(), 0)))


def _answer_turn(turn: int, event: CallEvent) -> Response:
    sid = request.form.get("CallSid")
    if not sid:
        log.warning("voice webhook without CallSid: replying with a hang-up")
        return _twiml(render_verbs([Hangup()], None, None))

    webhook = CallWebhook(call_sid=sid[:64], from_number=request.form.get("From"), to_number=request.form.get("To"),
                          turn=turn, event=event)
    with get_database().session() as session:
        reply = answer_call(session, webhook)
    urls = ReplyUrls(f"{STEP_PATH}?turn={reply.turn}", f"/twilio/voice/recording?turn={reply.turn}", _audio_base(),
                     reply.area_id)
    return _twiml(render_verbs(reply.verbs, PromptVoices(reply.settings, _prompts_root()), urls))


def _read_event(name: str | None) -> CallEvent:
    if name == EVENT_SILENCE:
        return CallEvent(EVENT_SILENCE)
    if name == EVENT_RECORDING:
        return CallEvent(EVENT_RECORDING, recording_url=request.form.get("RecordingUrl"),
                         recording_seconds=_seconds(request.form.get("RecordingDuration")))
    if name == EVENT_DIAL:
        return CallEvent(EVENT_DIAL, dial_status=request.form.get("DialCallStatus"))
    digits = request.form.get("Digits", "")[:MAX_DIGITS]
    return CallEvent(EVENT_KEYS, digits=digits) if digits else CallEvent(EVENT_SILENCE)


def _seconds(value: str | None, default: int | None = 0) -> int | None:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def _audio_base() -> str:
    return (get_settings().public_url or request.host_url).rstrip("/")


def _prompts_root():
    return prompts_root(get_settings().instance_dir)


def _twiml(document: str) -> Response:
    return Response(document, mimetype="text/xml")
