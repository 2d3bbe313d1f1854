"""The voice tree as a pure state machine: states, events and the verbs of its replies."""

import pytest

from ivr_flows.voice_tree import (
    EVENT_DIAL,
    EVENT_KEYS,
    EVENT_RECORDING,
    EVENT_SILENCE,
    EVENT_START,
    STEP_DIAL,
    STEP_DOCUMENT,
    STEP_ENDED,
    STEP_LANGUAGE,
    STEP_MAIN,
    STEP_RECORD,
    STEP_STATUS_MENU,
    STEP_STATUS_NUMBER,
    CallEvent,
    CallFacts,
    CallState,
    CreateRequest,
    RequestFacts,
    SetLocale,
    next_turn,
)
from ivr_flows.voice_verbs import (
    Dial,
    Digits,
    Gather,
    Hangup,
    Pause,
    Prompt,
    Record,
    RequestNumber,
    verbs_from_json,
    verbs_to_json,
)

ON_DUTY = CallFacts(default_locale="sr_Latn", coordinator_phone="+38344900900", office_open=True)
AFTER_HOURS = CallFacts(default_locale="sr_Latn", coordinator_phone="+38344900900", office_open=False)
MAIN_EN = CallState(STEP_MAIN, locale="en")


def keys(digits: str) -> CallEvent:
    return CallEvent(EVENT_KEYS, digits=digits)


SILENCE = CallEvent(EVENT_SILENCE)


def prompt_keys(verbs: list) -> list[str]:
    found = []
    for verb in verbs:
        for part in verb.parts if isinstance(verb, Gather) else [verb]:
            if isinstance(part, Prompt):
                found.append(part.key)
    return found


def test_new_caller_gets_language_menu():
    turn = next_turn(CallState("start"), CallEvent(EVENT_START), ON_DUTY)

    assert turn.state == CallState(STEP_LANGUAGE)
    assert turn.verbs == [Gather((Prompt("language_sr", "sr_Latn"), Prompt("language_sq", "sq"),
                                  Prompt("language_en", "en")))]


def test_known_caller_gets_main_menu_with_language_option():
    facts = CallFacts(default_locale="sr_Latn", caller_locale="sq")

    turn = next_turn(CallState("start"), CallEvent(EVENT_START), facts)

    assert turn.state == CallState(STEP_MAIN, locale="sq", offer_language=True)
    assert prompt_keys(turn.verbs) == ["welcome", "main_documents", "main_delivery", "main_status", "main_person",
                                       "main_language"]


@pytest.mark.parametrize(("key", "locale"), [("1", "sr_Latn"), ("2", "sq"), ("3", "en")])
def test_language_choice_sets_locale(key, locale):
    turn = next_turn(CallState(STEP_LANGUAGE), keys(key), ON_DUTY)

    assert turn.actions == [SetLocale(locale)]
    assert turn.state == CallState(STEP_MAIN, locale=locale)


@pytest.mark.parametrize("step", [STEP_LANGUAGE, STEP_MAIN, STEP_DOCUMENT, STEP_STATUS_MENU, STEP_STATUS_NUMBER])
def test_third_mistake_dials_person_on_duty(step):
    state = CallState(step, locale="en", failures=2)

    turn = next_turn(state, SILENCE, ON_DUTY)

    assert turn.state.step == STEP_DIAL
    assert turn.verbs[-1] == Dial("+38344900900", 25)


@pytest.mark.parametrize("step", [STEP_MAIN, STEP_DOCUMENT, STEP_RECORD])
def test_third_mistake_after_hours_asks_for_message(step):
    state = CallState(step, locale="en", failures=2, kind="delivery")

    turn = next_turn(state, keys("#") if step != STEP_RECORD else SILENCE, AFTER_HOURS)

    assert turn.state == CallState(STEP_RECORD, locale="en", kind="coordinator")
    assert turn.verbs == [Prompt("staff_away", "en"), Prompt("record_message", "en"), Record(120)]


def test_mistakes_count_across_silence_and_wrong_keys():
    first = next_turn(MAIN_EN, SILENCE, ON_DUTY)
    second = next_turn(first.state, keys("4"), ON_DUTY)

    assert first.state.failures == 1
    assert second.state.failures == 2
    assert prompt_keys(first.verbs)[:2] == ["no_key", "main_documents_simple"]
    assert Pause(1) in first.verbs[0].parts
    assert first.verbs[0].timeout_seconds == 12
    assert prompt_keys(second.verbs)[:2] == ["wrong_key", "main_documents"]


def test_correct_key_resets_mistakes():
    turn = next_turn(CallState(STEP_MAIN, locale="en", failures=2), keys("1"), ON_DUTY)

    assert turn.state == CallState(STEP_DOCUMENT, locale="en")
    assert prompt_keys(turn.verbs)[:2] == ["document_question", "document_1"]


def test_document_choice_asks_for_recording():
    turn = next_turn(CallState(STEP_DOCUMENT, locale="en"), keys("7"), ON_DUTY)

    assert turn.state == CallState(STEP_RECORD, locale="en", kind="document", document_type="death_registration")
    assert turn.verbs == [Prompt("record_document", "en"), Record(120)]


def test_recording_creates_request_and_reads_number_twice():
    state = CallState(STEP_RECORD, locale="en", kind="document", document_type="birth_certificate")
    event = CallEvent(EVENT_RECORDING, recording_url="https://example.org/RE1", recording_seconds=15)

    turn = next_turn(state, event, ON_DUTY)

    assert turn.actions == [CreateRequest("document", "birth_certificate", "https://example.org/RE1", 15)]
    assert turn.verbs.count(RequestNumber("en")) == 2
    assert turn.verbs[-1] == Hangup()
    assert turn.state.step == STEP_ENDED


def test_empty_recording_counts_as_silence():
    state = CallState(STEP_RECORD, locale="en", kind="delivery")
    event = CallEvent(EVENT_RECORDING, recording_url="https://example.org/RE1", recording_seconds=0)

    turn = next_turn(state, event, ON_DUTY)

    assert turn.actions == []
    assert turn.verbs == [Prompt("not_heard", "en"), Pause(1), Prompt("record_delivery_simple", "en"), Record(120)]


def test_status_number_too_long_is_a_wrong_key():
    turn = next_turn(CallState(STEP_STATUS_NUMBER, locale="en"), keys("1234567#"), ON_DUTY)

    assert turn.state.failures == 1
    assert prompt_keys(turn.verbs) == ["wrong_key", "status_type_number"]


def test_status_reads_number_state_and_acceptance_day():
    request = RequestFacts(number=159, status="accepted", accepted_days_ago=3)
    facts = CallFacts(default_locale="sr_Latn", find_request=lambda number: request if number == 159 else None)

    turn = next_turn(CallState(STEP_STATUS_NUMBER, locale="en"), keys("159#"), facts)

    parts = turn.verbs[0].parts
    assert parts[:4] == (Prompt("status_request", "en"), Digits("159", "en"), Prompt("status_accepted", "en"),
                         Prompt("accepted_this_week", "en"))
    assert turn.state.step == STEP_STATUS_MENU


def test_hidden_caller_after_hours_hangs_up():
    facts = CallFacts(default_locale="sr_Latn", caller_hidden=True, office_open=False)

    turn = next_turn(CallState("start"), CallEvent(EVENT_START), facts)

    assert prompt_keys(turn.verbs) == ["hidden_number"] * 3
    assert turn.verbs[-1] == Hangup()


def test_hidden_caller_unanswered_dial_leaves_no_message():
    state = CallState(STEP_DIAL, locale="sr_Latn", caller_hidden=True)

    turn = next_turn(state, CallEvent(EVENT_DIAL, dial_status="busy"), ON_DUTY)

    assert turn.actions == []
    assert turn.verbs[-1] == Hangup()


def test_ended_call_only_hangs_up():
    assert next_turn(CallState(STEP_ENDED, locale="en"), keys("1"), ON_DUTY).verbs == [Hangup()]


def test_state_and_verbs_survive_json():
    state = CallState(STEP_RECORD, locale="sq", failures=1, kind="document", document_type="other_document")
    verbs = [Gather((Prompt("welcome", "sq"), Pause(1), Digits("12", "sq")), num_digits=None, finish_on_key="#"),
             Record(90), Dial("+38344900900", 20), RequestNumber("sq"), Hangup()]

    assert CallState.from_json(state.to_json()) == state
    assert verbs_from_json(verbs_to_json(verbs)) == verbs
