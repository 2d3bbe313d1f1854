"""The voice tree through HTTP: signed webhooks in, TwiML out, requests and call state in the database."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.areas import get_default_area
from db.base import set_clock
from db.calls import VoiceCall, VoiceCallStep
from db.directory import get_or_create_citizen
from db.lifecycle import create_request
from db.messages import Message
from db.people import Citizen
from db.requests import (
    CHANNEL_VOICE,
    KIND_COORDINATOR,
    KIND_DELIVERY,
    KIND_DOCUMENT,
    STATUS_ACCEPTED,
    STATUS_ESCALATED,
    STATUS_OFFERED,
    HelpRequest,
)
from ivr_flows.voice_texts import PROMPTS
from tests.conftest import CITIZEN_EN, CITIZEN_SQ, CITIZEN_SR, VOLUNTEER_ARTA, VOLUNTEER_MARKO
from tests.signing import signed_post
from tests.voice_phone import COORDINATOR_PHONE, EVENING_TIME, OFFICE_TIME, Phone, move_clock_to, record_every_prompt

SERBIAN_VOICE = ("say", "sr-RS")
ENGLISH_VOICE = ("say", "en-GB")


@pytest.fixture
def office_hours(hotline):
    """An area with a coordinator on duty, at 10:00 on a Wednesday, with Albanian prompts recorded."""
    move_clock_to(OFFICE_TIME)
    with hotline.database.session() as session:
        get_default_area(session).coordinator_phone = COORDINATOR_PHONE
    record_every_prompt(Path(hotline.app.instance_path) / "prompts" / "sq", PROMPTS)
    yield hotline
    set_clock(None)


def _requests(hotline) -> list[HelpRequest]:
    with hotline.database.session() as session:
        return session.scalars(select(HelpRequest).order_by(HelpRequest.id)).all()


def _citizen(hotline, phone: str) -> Citizen:
    with hotline.database.session() as session:
        return session.scalar(select(Citizen).where(Citizen.phone == phone))


def _known_caller(hotline, phone: str, locale: str) -> None:
    with hotline.database.session() as session:
        citizen = get_or_create_citizen(session, get_default_area(session).id, phone)
        citizen.locale = locale


def test_new_caller_hears_three_languages(office_hours):
    phone = Phone(office_hours, CITIZEN_SR)

    twiml = phone.call()

    assert twiml.verbs == ["Gather", "Redirect"]
    assert twiml.gather.get("action") == "/twilio/voice/step?turn=1"
    assert twiml.gather.get("numDigits") == "1"
    assert twiml.gather.get("timeout") == "8"
    assert twiml.first("Redirect").text == "/twilio/voice/step?turn=1&event=silence"
    assert twiml.speech == [
        ("say", "sr-RS", "За српски језик, притисните 1."),
        ("play", "language_sq.wav"),
        ("say", "en-GB", "For English, press 3."),
    ]


# Serbian and English are spoken by <Say> voices; Albanian has recordings only.
LANGUAGE_RUNS = [
    pytest.param(CITIZEN_SR, "1", "sr_Latn", ["Say"], id="serbian"),
    pytest.param(CITIZEN_SQ, "2", "sq", ["Play"] * 9, id="albanian"),
    pytest.param(CITIZEN_EN, "3", "en", ["Say"], id="english"),
]


@pytest.mark.parametrize(("number", "key", "locale", "menu_verbs"), LANGUAGE_RUNS)
def test_document_request_through_the_whole_tree(office_hours, number, key, locale, menu_verbs):
    office_hours.add_volunteer(*VOLUNTEER_MARKO)
    phone = Phone(office_hours, number)
    phone.call()

    main = phone.press(key)
    documents = phone.press("1")
    asking = phone.press("2")
    done = phone.speak(seconds=14)

    assert main.gather.get("action") == "/twilio/voice/step?turn=2"
    assert documents.gather.get("action") == "/twilio/voice/step?turn=3"
    assert [part.tag for part in documents.gather] == menu_verbs
    assert asking.verbs == [menu_verbs[0], "Record", "Redirect"]
    record = asking.first("Record")
    assert record.get("action") == "/twilio/voice/step?turn=4&event=recording"
    assert record.get("recordingStatusCallback") == "/twilio/voice/recording?turn=4"
    assert record.get("finishOnKey") == "#"
    assert record.get("playBeep") == "true"
    assert record.get("maxLength") == "120"
    assert done.verbs[-1] == "Hangup"

    request = _requests(office_hours)[0]
    assert request.kind == KIND_DOCUMENT
    assert request.document_type == "marriage_certificate"
    assert request.channel == CHANNEL_VOICE
    assert request.recording_url == phone.recording(14)["RecordingUrl"]
    assert request.recording_seconds == 14
    assert _citizen(office_hours, number).locale == locale

    office_hours.run_jobs()
    assert _requests(office_hours)[0].status == STATUS_OFFERED
    assert len(office_hours.bodies_to(VOLUNTEER_MARKO[1])) == 1
    # Voice callers get no SMS: the news comes back by phone.
    assert office_hours.bodies_to(number) == []


def test_serbian_reply_reads_number_twice_in_cyrillic(office_hours):
    phone = Phone(office_hours, CITIZEN_SR)
    phone.call()
    phone.press("1")
    phone.press("2")

    done = phone.speak()

    assert done.speech == [
        ("say", "sr-RS", "Хвала Вам. Примили смо Ваш захтев."),
        ("pause", "1"),
        ("say", "sr-RS", "Број Вашег захтева је 1."),
        ("pause", "1"),
        ("say", "sr-RS", "Још једном, број Вашег захтева је 1."),
        ("pause", "1"),
        ("say", "sr-RS", "Позваћемо Вас када волонтер преузме Ваш захтев. Хвала што сте позвали. Довиђења."),
    ]
    assert done.verbs[-1] == "Hangup"
    assert _requests(office_hours)[0].kind == KIND_DELIVERY


def test_albanian_reply_plays_digit_clips(office_hours):
    with office_hours.database.session() as session:
        get_default_area(session).last_request_number = 14
    phone = Phone(office_hours, CITIZEN_SQ)
    phone.call()
    phone.press("2")
    phone.press("2")

    done = phone.speak()

    assert done.played == [
        "thanks_request.wav", "number_is.wav", "digit_1.wav", "digit_5.wav",
        "number_again.wav", "digit_1.wav", "digit_5.wav", "will_call_back.wav", "goodbye.wav",
    ]
    assert _requests(office_hours)[0].number == 15


def test_known_caller_skips_language_menu(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)

    twiml = phone.call()

    assert twiml.speech == [("say", "en-GB",
                             "Welcome to the help line. For documents from the municipality, press 1. "
                             "For food, medicine and supplies, press 2. To hear about your request, press 3. "
                             "To speak to a person, press 0. For another language, press 9.")]
    languages = phone.press("9")
    assert languages.speech[0] == ("say", "sr-RS", "За српски језик, притисните 1.")
    phone.press("2")
    assert _citizen(office_hours, CITIZEN_EN).locale == "sq"


def test_known_cyrillic_caller_keeps_script_when_choosing_serbian(office_hours):
    _known_caller(office_hours, CITIZEN_SR, "sr_Cyrl")
    phone = Phone(office_hours, CITIZEN_SR)
    phone.call()
    phone.press("9")

    phone.press("1")

    assert _citizen(office_hours, CITIZEN_SR).locale == "sr_Cyrl"


def test_silence_repeats_menu_in_simpler_slower_words(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()

    twiml = phone.stay_silent()

    assert twiml.gather.get("action") == "/twilio/voice/step?turn=2"
    assert twiml.gather.get("timeout") == "12"
    assert twiml.speech == [
        ("say", "en-GB", "We did not hear a key."), ("pause", "1"),
        ("say", "en-GB", "Documents: press 1."), ("pause", "1"),
        ("say", "en-GB", "Food or medicine: press 2."), ("pause", "1"),
        ("say", "en-GB", "Your request: press 3."), ("pause", "1"),
        ("say", "en-GB", "A person: press 0."), ("pause", "1"),
        ("say", "en-GB", "Another language: press 9."),
    ]


def test_wrong_key_is_named_and_menu_repeats(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()

    twiml = phone.press("7")

    assert twiml.said == ["That key is not on the menu. For documents from the municipality, press 1. "
                          "For food, medicine and supplies, press 2. To hear about your request, press 3. "
                          "To speak to a person, press 0. For another language, press 9."]
    assert twiml.gather.get("timeout") == "8"


def test_language_menu_names_wrong_key_thrice(office_hours):
    phone = Phone(office_hours, CITIZEN_SR)
    phone.call()

    twiml = phone.press("#")

    assert twiml.speech == [
        ("say", "sr-RS", "Тај тастер није у менију."), ("play", "wrong_key.wav"),
        ("say", "en-GB", "That key is not on the menu."),
        ("say", "sr-RS", "За српски језик, притисните 1."), ("play", "language_sq.wav"),
        ("say", "en-GB", "For English, press 3."),
    ]


def test_three_mistakes_put_caller_through_in_office_hours(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.stay_silent()
    phone.press("5")

    twiml = phone.stay_silent()

    assert twiml.said == ["Please wait. We are putting you through to a person."]
    dial = twiml.first("Dial")
    assert dial.text == COORDINATOR_PHONE
    assert dial.get("timeout") == "25"
    assert dial.get("action") == "/twilio/voice/step?turn=4&event=dial"


def test_unanswered_coordinator_turns_into_voice_message_for_staff(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.press("0")

    asking = phone.dial_ends("no-answer")
    done = phone.speak(seconds=20)

    assert asking.said == ["Nobody can answer right now. After the tone, say what you need, your address and your "
                           "phone number. Press the hash key when you are done."]
    assert done.said[0] == "Thank you. Our staff will listen to your message and call you back."
    request = _requests(office_hours)[0]
    assert request.kind == KIND_COORDINATOR
    assert request.status == STATUS_ESCALATED
    assert request.recording_seconds == 20
    office_hours.run_jobs()
    alerts = office_hours.bodies_to(COORDINATOR_PHONE)
    assert len(alerts) == 1
    assert "+383 49 200 004" in alerts[0]
    # A message for the staff is never offered to volunteers.
    assert request.volunteer_id is None


def test_answered_coordinator_call_ends_with_goodbye(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.press("0")

    twiml = phone.dial_ends("completed")

    assert twiml.said == ["Thank you for calling. Goodbye."]
    assert twiml.verbs[-1] == "Hangup"
    assert _requests(office_hours) == []


def test_three_mistakes_outside_office_hours_take_a_message(office_hours):
    move_clock_to(EVENING_TIME)
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.press("8")
    phone.press("8")

    twiml = phone.press("8")

    assert twiml.first("Dial") is None
    assert twiml.said[0].startswith("Our staff are not at work now. After the tone")
    assert twiml.verbs == ["Say", "Record", "Redirect"]


def test_person_without_coordinator_number_takes_a_message(office_hours):
    with office_hours.database.session() as session:
        get_default_area(session).coordinator_phone = None
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()

    twiml = phone.press("0")

    assert twiml.said[0].startswith("Nobody can answer right now.")
    assert twiml.first("Record") is not None


def test_silent_recordings_end_at_a_person(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.press("2")

    again = phone.stay_silent()
    phone.stay_silent()
    third = phone.stay_silent()

    assert again.said == ["We did not hear you.",
                          "Speak after the tone. Say what you need and where you live. Then press the hash key."]
    assert again.first("Record") is not None
    assert third.first("Dial").text == COORDINATOR_PHONE
    assert _requests(office_hours) == []


def test_silent_message_for_staff_ends_the_call(office_hours):
    move_clock_to(EVENING_TIME)
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.press("0")
    phone.stay_silent()
    phone.stay_silent()

    last = phone.stay_silent()

    assert last.said == ["We could not hear you. Please call again. Goodbye."]
    assert last.verbs == ["Say", "Hangup"]


def test_recording_arrives_after_caller_hung_up(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.press("1")
    phone.press("3")

    response = phone.hang_up_while_recording(seconds=9)

    assert response.status_code == 204
    requests = _requests(office_hours)
    assert len(requests) == 1
    assert requests[0].document_type == "citizenship_certificate"
    assert requests[0].recording_seconds == 9
    with office_hours.database.session() as session:
        call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == phone.form["CallSid"]))
    assert call.request_id == requests[0].id
    assert call.step == "ended"


def test_late_action_after_recording_callback_reads_same_request(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.press("2")
    phone.hang_up_while_recording(seconds=9)

    twiml = phone.speak(seconds=9)

    assert "Your request number is 1." in twiml.said
    assert len(_requests(office_hours)) == 1


def test_recording_callback_after_action_changes_nothing(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.press("2")
    record = phone.last.first("Record")
    phone.speak(seconds=11)

    response = phone.post(record.get("recordingStatusCallback"), phone.recording(11) | {"RecordingStatus": "completed"})

    assert response.status_code == 204
    assert len(_requests(office_hours)) == 1


def test_empty_recording_callback_changes_nothing(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()
    phone.press("2")

    response = phone.hang_up_while_recording(seconds=0)
    again = phone.stay_silent()

    assert response.status_code == 204
    assert _requests(office_hours) == []
    assert again.said[0] == "We did not hear you."


def test_repeated_webhooks_change_nothing(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    first_answer = phone.call()
    again_answer = phone.call()
    assert again_answer.text == first_answer.text

    phone.press("2")
    gather_reply = phone.last.text
    repeat = phone.post("/twilio/voice/step?turn=1", {"Digits": "2"})
    assert repeat.get_data(as_text=True) == gather_reply

    record = phone.last.first("Record")
    done = phone.speak()
    repeated_done = phone.post(record.get("action"), phone.recording(14) | {"Digits": "#"})

    assert repeated_done.get_data(as_text=True) == done.text
    assert len(_requests(office_hours)) == 1
    with office_hours.database.session() as session:
        call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == phone.form["CallSid"]))
        steps = session.scalar(select(func.count(VoiceCallStep.id)).where(VoiceCallStep.call_id == call.id))
    assert call.turn == 3
    assert steps == 3


def test_webhook_for_unoffered_turn_replays_latest_reply(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    phone = Phone(office_hours, CITIZEN_EN)
    menu = phone.call()

    response = phone.post("/twilio/voice/step?turn=7", {"Digits": "1"})

    assert response.get_data(as_text=True) == menu.text


def test_status_reads_latest_open_request_with_acceptance_day(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    with office_hours.database.session() as session:
        area = get_default_area(session)
        citizen = get_or_create_citizen(session, area.id, CITIZEN_EN)
        older = create_request(session, citizen, KIND_DELIVERY, "bread")
        latest = create_request(session, citizen, KIND_DOCUMENT, None, "birth_certificate", channel=CHANNEL_VOICE)
        latest.status = STATUS_ACCEPTED
        latest.accepted_at = OFFICE_TIME - timedelta(days=1)
        older_number = older.number
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()

    status = phone.press("3")

    assert status.said == ["Request number 2. A volunteer has taken it. The volunteer took it yesterday.",
                           "To hear about another request, press 1. For the main menu, press 2. "
                           "To speak to a person, press 0."]
    asking = phone.press("1")
    assert asking.gather.get("finishOnKey") == "#"
    assert asking.gather.get("numDigits") is None
    other = phone.press(f"{older_number}#")
    assert other.said[0] == "Request number 1. We are looking for a volunteer for it."


def test_caller_without_open_request_types_a_number(office_hours):
    _known_caller(office_hours, CITIZEN_EN, "en")
    with office_hours.database.session() as session:
        stranger = get_or_create_citizen(session, get_default_area(session).id, CITIZEN_SR)
        create_request(session, stranger, KIND_DELIVERY, "milk")
    phone = Phone(office_hours, CITIZEN_EN)
    phone.call()

    asking = phone.press("3")
    not_found = phone.press("1#")

    assert asking.said == ["We found no open request for your phone. Type your request number, then press the hash key."]
    # Another citizen's request is not revealed.
    assert not_found.said == ["We found no request with this number for your phone. "
                              "Type your request number, then press the hash key."]


def test_hidden_number_caller_leaves_no_message(office_hours):
    phone = Phone(office_hours, "anonymous")

    twiml = phone.call()

    assert twiml.first("Dial").text == COORDINATOR_PHONE
    move_clock_to(EVENING_TIME)
    evening = Phone(office_hours, "+266696687").call()
    assert evening.verbs[-1] == "Hangup"
    assert evening.first("Record") is None
    with office_hours.database.session() as session:
        assert session.scalar(select(func.count(Citizen.id))) == 0


def test_call_status_callback_stores_how_call_ended(office_hours):
    phone = Phone(office_hours, CITIZEN_SR)
    phone.call()

    response = phone.post("/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "42"})

    assert response.status_code == 204
    with office_hours.database.session() as session:
        call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == phone.form["CallSid"]))
    assert call.provider_status == "completed"
    assert call.duration_seconds == 42
    assert call.ended_at == OFFICE_TIME


def test_unsigned_voice_webhook_is_rejected(office_hours):
    response = office_hours.client.post("/twilio/voice", data={"CallSid": "CA1", "From": CITIZEN_SR})

    assert response.status_code == 403
    with office_hours.database.session() as session:
        assert session.scalar(select(func.count(VoiceCall.id))) == 0


def test_step_without_turn_hangs_up(office_hours):
    response = signed_post(office_hours.client, "/twilio/voice/step", {"CallSid": "CA1", "Digits": "1"},
                           office_hours.token)

    assert response.get_data(as_text=True) == '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup /></Response>'


def test_failing_webhook_apologises_in_three_languages(office_hours, monkeypatch):
    def broken(session, webhook):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr("gateway.voice_webhooks.answer_call", broken)
    phone = Phone(office_hours, CITIZEN_SR)

    twiml = phone.call()

    assert twiml.said[0] == "Извините, линија има проблем. Молимо позовите касније."
    assert twiml.verbs[-1] == "Hangup"
    with office_hours.database.session() as session:
        assert session.scalar(select(func.count(Message.id))) == 0
