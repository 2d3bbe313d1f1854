"""STOP, START and HELP, and the per-number limits that protect the centre's account."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from db.areas import get_default_area
from db.messages import DIRECTION_IN, Message
from db.people import Citizen
from db.requests import HelpRequest, RequestEvent
from tests.conftest import CITIZEN_SR, VOLUNTEER_MARKO
from workers.limits import inbound_over_limit

COORDINATOR = "+38344999000"


def _set_area(hotline, **values):
    with hotline.database.session() as session:
        area = get_default_area(session)
        for name, value in values.items():
            setattr(area, name, value)


def _citizen(hotline) -> Citizen:
    with hotline.database.session() as session:
        return session.scalar(select(Citizen).where(Citizen.phone == CITIZEN_SR))


def test_stop_sends_one_confirmation_then_silence(hotline):
    hotline.text(CITIZEN_SR, "STOP")

    assert _citizen(hotline).opted_out is True
    assert len(hotline.bodies_to(CITIZEN_SR)) == 1
    assert "START" in hotline.bodies_to(CITIZEN_SR)[0]

    hotline.text(CITIZEN_SR, "POMOC")
    hotline.text(CITIZEN_SR, "treba mi hleb")

    assert len(hotline.bodies_to(CITIZEN_SR)) == 1


def test_start_rejoins(hotline):
    hotline.text(CITIZEN_SR, "STOP")
    hotline.text(CITIZEN_SR, "START")

    assert _citizen(hotline).opted_out is False
    assert len(hotline.bodies_to(CITIZEN_SR)) == 2


def test_stop_words_in_every_language(hotline):
    for index, word in enumerate(["STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ODJAVA", "NDALO"]):
        phone = f"+3834450000{index}"
        hotline.text(phone, word)
        with hotline.database.session() as session:
            citizen = session.scalar(select(Citizen).where(Citizen.phone == phone))
        assert citizen.opted_out is True, word


def test_stop_with_open_request_alerts_coordinator(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    _set_area(hotline, coordinator_phone=COORDINATOR)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")

    hotline.text(CITIZEN_SR, "STOP")

    alerts = hotline.bodies_to(COORDINATOR)
    assert len(alerts) == 1
    assert "+383 44 200 001" in alerts[0]
    with hotline.database.session() as session:
        request = session.scalar(select(HelpRequest))
        notes = session.scalars(select(RequestEvent.note).where(RequestEvent.request_id == request.id)).all()
    assert request.status == "offered"
    assert "citizen opted out of SMS" in notes


def test_help_names_the_centre_and_a_person(hotline):
    _set_area(hotline, coordinator_phone=COORDINATOR, name="Centar Mitrovica")

    hotline.text(CITIZEN_SR, "POMOC")

    texts = hotline.bodies_to(CITIZEN_SR)
    assert len(texts) == 2
    assert "HRANA" in texts[0]
    assert "Centar Mitrovica" in texts[1]
    assert "+383 44 999 000" in texts[1]


def test_inbound_flood_is_stored_but_not_answered(hotline):
    _set_area(hotline, inbound_per_minute=3)

    for index in range(5):
        assert hotline.text(CITIZEN_SR, f"POMOC {index}").status_code == 200

    with hotline.database.session() as session:
        flags = session.scalars(
            select(Message.flag).where(Message.direction == DIRECTION_IN).order_by(Message.id)
        ).all()
    assert flags == [None, None, None, "rate_limited", "rate_limited"]
    assert len(hotline.bodies_to(CITIZEN_SR)) == 3


def test_daily_reply_limit_holds_further_replies(hotline):
    _set_area(hotline, replies_per_day=2)

    for _ in range(4):
        hotline.text(CITIZEN_SR, "dobar dan")

    assert len(hotline.bodies_to(CITIZEN_SR)) == 2
    with hotline.database.session() as session:
        flags = session.scalars(
            select(Message.flag).where(Message.to_number == CITIZEN_SR).order_by(Message.id)
        ).all()
    assert flags == [None, None, "daily_limit", "daily_limit"]


def test_cancel_without_number_asks_which(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")

    hotline.text(CITIZEN_SR, "OTKAZI")

    assert hotline.bodies_to(CITIZEN_SR)[-1] == "Da otkažete zahtev 1, pošaljite OTKAZI 1."
    with hotline.database.session() as session:
        assert session.scalar(select(HelpRequest.status)) == "offered"
    assert _citizen(hotline).opted_out is False


def test_cancel_with_number_cancels(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")

    hotline.text(CITIZEN_SR, "OTKAZI 1")

    with hotline.database.session() as session:
        assert session.scalar(select(HelpRequest.status)) == "cancelled"
    assert "1" in hotline.bodies_to(CITIZEN_SR)[-1]


def test_inbound_limit_is_idempotent_per_message(redis):
    minute = datetime(2026, 3, 2, 9, 15, 20, tzinfo=timezone.utc)
    answers = [inbound_over_limit(redis, 1, CITIZEN_SR, 3, message_id, minute) for message_id in (11, 12, 13, 14, 15)]
    # A job that runs again for an early message, after a failure, is still within the limit.
    again = inbound_over_limit(redis, 1, CITIZEN_SR, 3, 12, minute)
    next_minute = inbound_over_limit(redis, 1, CITIZEN_SR, 3, 16, minute + timedelta(minutes=1))

    assert answers == [False, False, False, True, True]
    assert again is False
    assert next_minute is False
