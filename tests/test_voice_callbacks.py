"""Confirmation calls: placed through the provider, read to the citizen, retried within calling hours."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from db.areas import get_default_area
from db.base import set_clock
from db.calls import (
    CALL_CALLING,
    CALL_COMPLETED,
    CALL_FAILED,
    CALL_HELD,
    CALL_QUEUED,
    CALL_RETRYING,
    CALL_SUPERSEDED,
    OutboundCall,
)
from tests.conftest import CITIZEN_EN, CITIZEN_SR, VOLUNTEER_MARKO
from tests.signing import HOTLINE_NUMBER, PUBLIC_URL
from tests.voice_phone import OFFICE_TIME, Phone, Twiml, move_clock_to
from workers.calling import place_call
from workers.context import get_context, use_context
from workers.sweeper import sweep

# Belgrade is UTC+1 in December: 17:45 UTC is 18:45 local, 15 minutes before calling hours end at 19:00.
LATE_AFTERNOON = datetime(2026, 12, 2, 17, 45, tzinfo=timezone.utc)
NEXT_MORNING = datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc)  # 09:00 local, when calling hours open
NIGHT = datetime(2026, 12, 2, 22, 0, tzinfo=timezone.utc)  # 23:00 local


@pytest.fixture
def clock():
    move_clock_to(OFFICE_TIME)
    yield move_clock_to
    set_clock(None)


def _voice_request(hotline, phone_number: str = CITIZEN_EN, key: str = "3") -> Phone:
    """Make a delivery request by phone as a new caller, and let the volunteers get the offer."""
    phone = Phone(hotline, phone_number)
    phone.call()
    phone.press(key)
    phone.press("2")
    phone.speak()
    hotline.run_jobs()
    return phone


def _calls(hotline) -> list[OutboundCall]:
    with hotline.database.session() as session:
        return session.scalars(select(OutboundCall).order_by(OutboundCall.id)).all()


def _status_callback(hotline, call: OutboundCall, status: str, **fields):
    phone = Phone(hotline, call.to_number)
    phone.form["CallSid"] = call.provider_sid
    phone.form["Direction"] = "outbound-api"
    return phone.post("/twilio/voice/status", {"CallStatus": status, **fields})


def _accept(hotline) -> None:
    hotline.text(VOLUNTEER_MARKO[1], "YES 1")


def test_acceptance_places_confirmation_call(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)

    _accept(hotline)

    placed = hotline.fake.calls()
    assert len(placed) == 1
    call = _calls(hotline)[0]
    assert placed[0].form == {
        "To": CITIZEN_EN, "From": HOTLINE_NUMBER, "Url": f"{PUBLIC_URL}/twilio/voice/news/{call.id}",
        "StatusCallback": f"{PUBLIC_URL}/twilio/voice/status", "StatusCallbackEvent": "completed",
        "MachineDetection": "Enable",
    }
    assert call.status == CALL_CALLING
    assert call.news == "accepted"
    assert call.attempts == 1
    assert call.provider_sid.startswith("CA")
    # The citizen chose the phone, so no SMS carries the news.
    assert hotline.bodies_to(CITIZEN_EN) == []


def test_done_places_a_second_call(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    _accept(hotline)

    hotline.text(VOLUNTEER_MARKO[1], "DONE 1")

    assert [call.news for call in _calls(hotline)] == ["accepted", "done"]
    assert len(hotline.fake.calls(to=CITIZEN_EN)) == 2


def test_news_call_reads_news_and_offers_it_again(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    _accept(hotline)
    call = _calls(hotline)[0]
    phone = Phone(hotline, CITIZEN_EN)
    phone.form["CallSid"] = call.provider_sid

    answered = Twiml(phone.post(f"/twilio/voice/news/{call.id}", {"AnsweredBy": "human"}))
    phone.last = answered
    again = phone.press("1")
    goodbye = phone.stay_silent()

    news = ("Hello, this is the help line, with news about your request. A volunteer has taken your request. "
            "The volunteer will call you soon. Your request number is 1.")
    assert answered.speech == [("say", "en-GB", news), ("pause", "1"), ("say", "en-GB", "To hear this again, press 1.")]
    assert answered.gather.get("action") == f"/twilio/voice/news/{call.id}?repeats=1"
    assert again.speech == answered.speech
    assert again.gather.get("action") == f"/twilio/voice/news/{call.id}?repeats=2"
    assert goodbye.said == ["Thank you for calling. Goodbye."]
    assert goodbye.verbs == ["Say", "Hangup"]
    assert _calls(hotline)[0].answered_by == "human"


def test_news_call_speaks_serbian_caller_language(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline, CITIZEN_SR, key="1")
    _accept(hotline)
    call = _calls(hotline)[0]

    answered = Twiml(Phone(hotline, CITIZEN_SR).post(f"/twilio/voice/news/{call.id}", {"AnsweredBy": "human"}))

    assert answered.said[0] == ("Добар дан, овде линија за помоћ, са вестима о Вашем захтеву. Волонтер је преузео "
                                "Ваш захтев. Волонтер ће Вас ускоро позвати. Број Вашег захтева је 1.")


def test_answering_machine_gets_news_once_without_menu(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    _accept(hotline)
    call = _calls(hotline)[0]

    twiml = Twiml(Phone(hotline, CITIZEN_EN).post(f"/twilio/voice/news/{call.id}", {"AnsweredBy": "machine_start"}))

    assert twiml.verbs == ["Say", "Hangup"]
    assert twiml.gather is None
    assert twiml.said[0].endswith("Your request number is 1. Thank you for calling. Goodbye.")
    assert _calls(hotline)[0].answered_by == "machine_start"


def test_status_callback_completes_call(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    _accept(hotline)
    call = _calls(hotline)[0]

    response = _status_callback(hotline, call, "completed", AnsweredBy="human", CallDuration="31")
    repeated = _status_callback(hotline, call, "no-answer")

    assert response.status_code == 204
    assert repeated.status_code == 204
    stored = _calls(hotline)[0]
    assert stored.status == CALL_COMPLETED
    assert stored.provider_status == "completed"
    assert stored.duration_seconds == 31
    assert stored.finished_at == OFFICE_TIME
    assert len(hotline.fake.calls()) == 1


def test_unknown_call_status_gets_204(hotline, clock):
    phone = Phone(hotline, CITIZEN_EN)

    response = phone.post("/twilio/voice/status", {"CallStatus": "completed"})

    assert response.status_code == 204


def test_no_answer_retried_after_spacing(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    _accept(hotline)

    _status_callback(hotline, _calls(hotline)[0], "no-answer")

    call = _calls(hotline)[0]
    assert call.status == CALL_RETRYING
    assert call.next_attempt_at == OFFICE_TIME + timedelta(minutes=30)
    assert call.last_error == "the call ended no-answer"

    clock(OFFICE_TIME + timedelta(minutes=20))
    sweep()
    hotline.run_jobs()
    assert len(hotline.fake.calls()) == 1

    clock(OFFICE_TIME + timedelta(minutes=31))
    assert sweep()["calls"] == 1
    hotline.run_jobs()
    assert len(hotline.fake.calls()) == 2
    call = _calls(hotline)[0]
    assert call.status == CALL_CALLING
    assert call.attempts == 2


def test_late_no_answer_waits_for_morning(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    clock(LATE_AFTERNOON)
    _voice_request(hotline)
    _accept(hotline)

    _status_callback(hotline, _calls(hotline)[0], "busy")

    assert _calls(hotline)[0].next_attempt_at == NEXT_MORNING
    clock(NIGHT)
    assert sweep()["calls"] == 0
    assert place_call(_calls(hotline)[0].id) == "not_due"
    assert len(hotline.fake.calls()) == 1

    clock(NEXT_MORNING + timedelta(minutes=1))
    sweep()
    hotline.run_jobs()
    assert len(hotline.fake.calls()) == 2


def test_tries_stop_after_three_retries(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    _accept(hotline)
    now = OFFICE_TIME

    for _ in range(3):
        _status_callback(hotline, _calls(hotline)[0], "no-answer")
        now = _calls(hotline)[0].next_attempt_at
        clock(now)
        sweep()
        hotline.run_jobs()
    _status_callback(hotline, _calls(hotline)[0], "failed")

    call = _calls(hotline)[0]
    assert len(hotline.fake.calls()) == 4
    assert call.status == CALL_FAILED
    assert call.attempts == 4
    assert call.last_error == "the call ended failed"
    clock(now + timedelta(days=1))
    assert sweep()["calls"] == 0


def test_call_queued_at_night_waits_for_calling_hours(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    clock(NIGHT)

    _accept(hotline)

    call = _calls(hotline)[0]
    assert hotline.fake.calls() == []
    assert call.status == CALL_QUEUED
    assert call.attempts == 0
    assert call.next_attempt_at == NEXT_MORNING


def test_done_supersedes_a_waiting_acceptance_call(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    clock(NIGHT)
    _accept(hotline)

    hotline.text(VOLUNTEER_MARKO[1], "DONE 1")

    assert [(call.news, call.status) for call in _calls(hotline)] == [("accepted", CALL_SUPERSEDED), ("done", CALL_QUEUED)]


def test_transient_provider_error_is_retried(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    hotline.fake.fail_next(1, status=503)

    _accept(hotline)

    call = _calls(hotline)[0]
    assert call.status == CALL_RETRYING
    assert call.last_error.startswith("provider error: HTTP 503")
    assert call.next_attempt_at == OFFICE_TIME + timedelta(minutes=30)


def test_permanent_provider_error_fails_the_call(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    hotline.fake.fail_next(1, status=400, code=21211)

    _accept(hotline)

    call = _calls(hotline)[0]
    assert call.status == CALL_FAILED
    assert "code 21211" in call.last_error


def test_call_without_provider_is_held(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    context = get_context()
    use_context(type(context)(context.settings, context.database, context.redis, None))

    _accept(hotline)

    assert _calls(hotline)[0].status == CALL_HELD
    assert hotline.fake.calls() == []
    use_context(context)


def test_sweeper_requeues_abandoned_call_claim(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    clock(NIGHT)
    _accept(hotline)
    with hotline.database.session() as session:
        call = session.scalar(select(OutboundCall))
        call.status = CALL_CALLING
        call.next_attempt_at = None
        call.updated_at = NEXT_MORNING

    clock(NEXT_MORNING + timedelta(minutes=6))
    assert sweep()["calls"] == 1
    hotline.run_jobs()

    assert len(hotline.fake.calls()) == 1
    assert _calls(hotline)[0].status == CALL_CALLING


def test_call_needs_public_url(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    context = get_context()
    settings = context.settings.__class__(**{**context.settings.__dict__, "public_url": None})
    use_context(type(context)(settings, context.database, context.redis, context.provider))

    _accept(hotline)

    call = _calls(hotline)[0]
    assert call.status == CALL_FAILED
    assert call.last_error.startswith("PUBLIC_URL is not set")
    use_context(context)


def test_unknown_news_call_hangs_up(hotline, clock):
    twiml = Twiml(Phone(hotline, CITIZEN_EN).post("/twilio/voice/news/999"))

    assert twiml.verbs == ["Hangup"]


def test_area_calling_hours_can_be_changed(hotline, clock):
    from db.voice_settings import get_or_create_voice_settings

    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _voice_request(hotline)
    with hotline.database.session() as session:
        get_or_create_voice_settings(session, get_default_area(session)).calling_hours = "11:00-12:00"

    _accept(hotline)

    call = _calls(hotline)[0]
    assert hotline.fake.calls() == []
    assert call.next_attempt_at == datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)
