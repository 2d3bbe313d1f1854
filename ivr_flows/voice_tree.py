"""The voice menu of an incoming call as a pure state machine.

    start ── known caller ──────────────> main (which also offers 9: another language)
      │   ── new caller ───> language ──> main
      │   ── hidden number ──> dial (a person is on duty) or goodbye
      │
    main ── 1 ──> document ── 1..8 ──> record ── recording ──> request made, number read twice, hang up
         ── 2 ───────────────────────> record
         ── 3 ──> latest open request read ──> status_menu ── 1 ──> status_number ── digits # ──> read
                  (none open: status_number)               ── 2 ──> main
         ── 9 ──> language
         ── 0 (in any menu) ──> dial ── no answer ──> record (a message for the staff)
                  (outside office hours, or no coordinator number: record at once)

Silence in a menu repeats it in simpler words with pauses between them; a key
that is not on the menu is named as such and the menu repeats. The third
mistake in a row puts the caller through to a person, or takes a message.
"""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from db.requests import (
    KIND_COORDINATOR,
    KIND_DELIVERY,
    KIND_DOCUMENT,
    STATUS_ACCEPTED,
    STATUS_CANCELLED,
    STATUS_DONE,
    STATUS_ESCALATED,
)
from ivr_flows.texts import DOCUMENT_MENU_ORDER
from ivr_flows.voice_verbs import Dial, Digits, Gather, Hangup, Pause, Prompt, Record, RequestNumber

STEP_START = "start"  # before the first reply
STEP_LANGUAGE = "language"
STEP_MAIN = "main"
STEP_DOCUMENT = "document"
STEP_RECORD = "record"
STEP_STATUS_NUMBER = "status_number"
STEP_STATUS_MENU = "status_menu"
STEP_DIAL = "dial"
STEP_ENDED = "ended"

EVENT_START = "start"  # the call was answered
EVENT_KEYS = "keys"  # the caller pressed keys
EVENT_SILENCE = "silence"  # a menu or a recording heard nothing
EVENT_RECORDING = "recording"  # a recording finished
EVENT_DIAL = "dial"  # a call to a person ended

MAX_FAILURES = 3
GATHER_TIMEOUT_SECONDS = 8
SLOW_GATHER_TIMEOUT_SECONDS = 12
# Request numbers are short; a longer entry is a mistake, not a lookup.
MAX_REQUEST_NUMBER_DIGITS = 6

# The language menu speaks each sentence in its own language.
LANGUAGE_LOCALES = ("sr_Latn", "sq", "en")
SERBIAN_LOCALES = ("sr_Latn", "sr_Cyrl")
RECORD_PROMPTS = {KIND_DOCUMENT: "record_document", KIND_DELIVERY: "record_delivery", KIND_COORDINATOR: "record_message"}
STATUS_PROMPTS = {STATUS_ACCEPTED: "status_accepted", STATUS_DONE: "status_done",
                  STATUS_CANCELLED: "status_cancelled", STATUS_ESCALATED: "status_with_staff"}
DIAL_ANSWERED = ("completed", "answered")


@dataclass(frozen=True)
class CallEvent:
    """An event since the last reply: keys, silence, a recording or the end of a <Dial>."""

    kind: str
    digits: str = ""
    recording_url: str | None = None
    recording_seconds: int = 0
    dial_status: str | None = None


@dataclass(frozen=True)
class RequestFacts:
    """The facts about one request that its caller may hear."""

    number: int
    status: str
    # Whole days between the acceptance and now, in the area's time zone.
    accepted_days_ago: int | None = None


@dataclass(frozen=True)
class CallFacts:
    """Facts about the caller and the area that the tree needs, looked up by the caller of next_turn."""

    default_locale: str
    caller_locale: str | None = None
    caller_hidden: bool = False
    office_open: bool = True
    coordinator_phone: str | None = None
    dial_timeout_seconds: int = 25
    max_recording_seconds: int = 120
    latest_request: RequestFacts | None = None
    find_request: Callable[[int], RequestFacts | None] = lambda number: None


@dataclass(frozen=True)
class CallState:
    """The caller's position: the step, the chosen locale and the mistakes made at this step."""

    step: str
    locale: str | None = None
    failures: int = 0
    # What a recording will become.
    kind: str | None = None
    document_type: str | None = None
    offer_language: bool = False
    caller_hidden: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "CallState":
        return cls(**json.loads(text))


@dataclass(frozen=True)
class SetLocale:
    locale: str


@dataclass(frozen=True)
class CreateRequest:
    kind: str
    document_type: str | None
    recording_url: str
    recording_seconds: int


@dataclass(frozen=True)
class VoiceTurn:
    """The result of one event: the next state, the verbs of the reply, and the actions to carry out."""

    state: CallState
    verbs: list
    actions: list = field(default_factory=list)


def next_turn(state: CallState, event: CallEvent, facts: CallFacts) -> VoiceTurn:
    """Return the reply to one event of a call."""
    if event.kind == EVENT_START:
        return _start(facts)
    if state.step == STEP_RECORD:
        return _on_recording(state, event, facts)
    if state.step == STEP_DIAL:
        return _on_dial_end(state, event, facts)
    if state.step == STEP_STATUS_NUMBER:
        return _on_request_number(state, event, facts)
    if state.step in _CHOICES:
        return _on_menu(state, event, facts)
    return VoiceTurn(state, [Hangup()])


def _start(facts: CallFacts) -> VoiceTurn:
    if facts.caller_hidden:
        notice = [Prompt("hidden_number", locale) for locale in LANGUAGE_LOCALES]
        state = CallState(STEP_DIAL, locale=facts.default_locale, caller_hidden=True)
        if _person_on_duty(facts):
            return VoiceTurn(state, [*notice, Dial(facts.coordinator_phone, facts.dial_timeout_seconds)])
        return VoiceTurn(replace(state, step=STEP_ENDED), [*notice, Hangup()])

    if facts.caller_locale:
        state = CallState(STEP_MAIN, locale=facts.caller_locale, offer_language=True)
        return VoiceTurn(state, [_ask(state, [Prompt("welcome", state.locale)])])

    state = CallState(STEP_LANGUAGE)
    return VoiceTurn(state, [_ask(state)])


def _on_menu(state: CallState, event: CallEvent, facts: CallFacts) -> VoiceTurn:
    if event.kind == EVENT_KEYS and event.digits == "0":
        return _to_person(state, facts)
    choose = _CHOICES[state.step]
    if event.kind == EVENT_KEYS:
        turn = choose(state, event.digits, facts)
        if turn is not None:
            return turn
    return _mistake(state, event, facts)


def _choose_language(state: CallState, key: str, facts: CallFacts) -> VoiceTurn | None:
    serbian = facts.caller_locale if facts.caller_locale in SERBIAN_LOCALES else "sr_Latn"
    locale = {"1": serbian, "2": "sq", "3": "en"}.get(key)
    if locale is None:
        return None
    chosen = CallState(STEP_MAIN, locale=locale)
    return VoiceTurn(chosen, [_ask(chosen, [Prompt("welcome", locale)])], [SetLocale(locale)])


def _choose_main(state: CallState, key: str, facts: CallFacts) -> VoiceTurn | None:
    if key == "1":
        documents = replace(state, step=STEP_DOCUMENT, failures=0)
        return VoiceTurn(documents, [_ask(documents)])
    if key == "2":
        return _ask_for_recording(state, facts, KIND_DELIVERY, None)
    if key == "3":
        if facts.latest_request is None:
            return _ask_for_number(state, [Prompt("status_none", state.locale)])
        return _read_status(state, facts.latest_request)
    if key == "9":
        languages = replace(state, step=STEP_LANGUAGE, failures=0, offer_language=False)
        return VoiceTurn(languages, [_ask(languages)])
    return None


def _choose_document(state: CallState, key: str, facts: CallFacts) -> VoiceTurn | None:
    if not (key.isdigit() and 1 <= int(key) <= len(DOCUMENT_MENU_ORDER)):
        return None
    return _ask_for_recording(state, facts, KIND_DOCUMENT, DOCUMENT_MENU_ORDER[int(key) - 1])


def _choose_after_status(state: CallState, key: str, facts: CallFacts) -> VoiceTurn | None:
    if key == "1":
        return _ask_for_number(state, [])
    if key == "2":
        main = replace(state, step=STEP_MAIN, failures=0)
        return VoiceTurn(main, [_ask(main)])
    return None


def _on_request_number(state: CallState, event: CallEvent, facts: CallFacts) -> VoiceTurn:
    digits = event.digits.rstrip("#")
    if event.kind != EVENT_KEYS or not digits.isdigit() or len(digits) > MAX_REQUEST_NUMBER_DIGITS:
        return _mistake(state, event, facts)
    if digits == "0":
        return _to_person(state, facts)

    request = facts.find_request(int(digits))
    if request is None:
        return _mistake(state, event, facts, notice="status_not_found")
    return _read_status(state, request)


def _read_status(state: CallState, request: RequestFacts) -> VoiceTurn:
    locale = state.locale
    parts = [Prompt("status_request", locale), Digits(str(request.number), locale),
             Prompt(STATUS_PROMPTS.get(request.status, "status_waiting"), locale)]
    if request.accepted_days_ago is not None and request.status in (STATUS_ACCEPTED, STATUS_DONE):
        parts.append(Prompt(_acceptance_prompt(request.accepted_days_ago), locale))
    menu = replace(state, step=STEP_STATUS_MENU, failures=0)
    return VoiceTurn(menu, [_ask(menu, [*parts, Pause(1)])])


def _acceptance_prompt(days_ago: int) -> str:
    if days_ago <= 0:
        return "accepted_today"
    if days_ago == 1:
        return "accepted_yesterday"
    if days_ago < 7:
        return "accepted_this_week"
    return "accepted_earlier"


def _ask_for_number(state: CallState, intro: list) -> VoiceTurn:
    asking = replace(state, step=STEP_STATUS_NUMBER, failures=0)
    return VoiceTurn(asking, [_ask(asking, intro)])


def _ask_for_recording(state: CallState, facts: CallFacts, kind: str, document_type: str | None,
                       intro: tuple = ()) -> VoiceTurn:
    recording = replace(state, step=STEP_RECORD, failures=0, kind=kind, document_type=document_type)
    return VoiceTurn(recording, [*intro, Prompt(RECORD_PROMPTS[kind], state.locale),
                                 Record(facts.max_recording_seconds)])


def _on_recording(state: CallState, event: CallEvent, facts: CallFacts) -> VoiceTurn:
    if event.kind == EVENT_RECORDING and event.recording_url and event.recording_seconds > 0:
        return _request_made(state, event)

    failed = replace(state, failures=state.failures + 1)
    if failed.failures >= MAX_FAILURES:
        if state.kind == KIND_COORDINATOR:
            return VoiceTurn(replace(failed, step=STEP_ENDED), [Prompt("could_not_hear", state.locale), Hangup()])
        return _to_person(failed, facts)
    return VoiceTurn(failed, [Prompt("not_heard", state.locale), Pause(1),
                              Prompt(RECORD_PROMPTS[state.kind] + "_simple", state.locale),
                              Record(facts.max_recording_seconds)])


def _request_made(state: CallState, event: CallEvent) -> VoiceTurn:
    locale = state.locale
    for_staff = state.kind == KIND_COORDINATOR
    verbs = [
        Prompt("thanks_message" if for_staff else "thanks_request", locale), Pause(1),
        Prompt("number_is", locale), RequestNumber(locale), Pause(1),
        Prompt("number_again", locale), RequestNumber(locale), Pause(1),
    ]
    if not for_staff:
        verbs.append(Prompt("will_call_back", locale))
    verbs += [Prompt("goodbye", locale), Hangup()]
    action = CreateRequest(state.kind, state.document_type, event.recording_url, event.recording_seconds)
    return VoiceTurn(replace(state, step=STEP_ENDED, failures=0), verbs, [action])


def _to_person(state: CallState, facts: CallFacts) -> VoiceTurn:
    locale = state.locale or facts.default_locale
    reset = replace(state, locale=locale, failures=0)
    if _person_on_duty(facts):
        return VoiceTurn(replace(reset, step=STEP_DIAL),
                         [Prompt("connecting", locale), Dial(facts.coordinator_phone, facts.dial_timeout_seconds)])
    notice = "nobody_answered" if facts.office_open else "staff_away"
    return _ask_for_recording(reset, facts, KIND_COORDINATOR, None, (Prompt(notice, locale),))


def _on_dial_end(state: CallState, event: CallEvent, facts: CallFacts) -> VoiceTurn:
    if event.kind == EVENT_DIAL and event.dial_status in DIAL_ANSWERED:
        return VoiceTurn(replace(state, step=STEP_ENDED), [Prompt("goodbye", state.locale), Hangup()])
    if state.caller_hidden:
        # Without the caller's number a message could never be answered.
        return VoiceTurn(replace(state, step=STEP_ENDED),
                         [Prompt("nobody_answered", state.locale), Prompt("goodbye", state.locale), Hangup()])
    return _ask_for_recording(state, facts, KIND_COORDINATOR, None, (Prompt("nobody_answered", state.locale),))


def _person_on_duty(facts: CallFacts) -> bool:
    return facts.office_open and bool(facts.coordinator_phone)


def _mistake(state: CallState, event: CallEvent, facts: CallFacts, notice: str = "wrong_key") -> VoiceTurn:
    failed = replace(state, failures=state.failures + 1)
    if failed.failures >= MAX_FAILURES:
        return _to_person(failed, facts)
    if event.kind == EVENT_KEYS:
        return VoiceTurn(failed, [_ask(failed, _in_caller_language(notice, state))])
    return VoiceTurn(failed, [_ask(failed, [*_in_caller_language("no_key", state), Pause(1)], simple=True)])


def _in_caller_language(key: str, state: CallState) -> list:
    if state.locale is None:
        return [Prompt(key, locale) for locale in LANGUAGE_LOCALES]
    return [Prompt(key, state.locale)]


def _ask(state: CallState, intro: list | tuple = (), simple: bool = False) -> Gather:
    """Build the Gather of the state's menu: its sentences after intro, simpler and slower when simple."""
    timeout = SLOW_GATHER_TIMEOUT_SECONDS if simple else GATHER_TIMEOUT_SECONDS
    if state.step == STEP_STATUS_NUMBER:
        key = "status_type_number_simple" if simple else "status_type_number"
        return Gather((*intro, Prompt(key, state.locale)), num_digits=None, finish_on_key="#", timeout_seconds=timeout)
    return Gather((*intro, *_menu_sentences(state, simple)), timeout_seconds=timeout)


def _menu_sentences(state: CallState, simple: bool) -> list:
    suffix = "_simple" if simple else ""
    if state.step == STEP_LANGUAGE:
        prompts = [Prompt(f"language_{language}{suffix}", locale)
                   for language, locale in zip(("sr", "sq", "en"), LANGUAGE_LOCALES)]
    else:
        prompts = [Prompt(key + suffix, state.locale) for key in _MENU_KEYS[state.step](state)]
    if not simple:
        return prompts
    slow = []
    for prompt in prompts:
        slow += [prompt, Pause(1)]
    return slow[:-1]


def _main_keys(state: CallState) -> list[str]:
    keys = ["main_documents", "main_delivery", "main_status", "main_person"]
    return keys + ["main_language"] if state.offer_language else keys


_MENU_KEYS = {
    STEP_MAIN: _main_keys,
    STEP_DOCUMENT: lambda state: ["document_question"] + [f"document_{n}" for n in range(1, len(DOCUMENT_MENU_ORDER) + 1)],
    STEP_STATUS_MENU: lambda state: ["status_another", "status_main_menu", "main_person"],
}
_CHOICES = {
    STEP_LANGUAGE: _choose_language,
    STEP_MAIN: _choose_main,
    STEP_DOCUMENT: _choose_document,
    STEP_STATUS_MENU: _choose_after_status,
}
