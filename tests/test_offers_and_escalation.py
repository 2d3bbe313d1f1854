"""Offers expire, waves follow, and a request nobody takes reaches a coordinator."""

from sqlalchemy import select

from db.areas import get_default_area
from db.requests import (
    OFFER_EXPIRED,
    OFFER_PENDING,
    OFFER_TAKEN,
    OFFER_WITHDRAWN,
    STATUS_ACCEPTED,
    STATUS_ESCALATED,
    STATUS_OFFERED,
    HelpRequest,
    Offer,
)
from tests.clock import clock  # noqa: F401  (fixture)
from tests.conftest import CITIZEN_SR
from workers.routing import expire_offers
from workers.sweeper import sweep

COORDINATOR = "+38344999000"
VOLUNTEERS = [("Marko", "+38344100001"), ("Arta", "+38344100002"), ("Jelena", "+38344100003"), ("Besa", "+38344100004")]


def _configure_area(hotline, wave_size=2, max_waves=2):
    with hotline.database.session() as session:
        area = get_default_area(session)
        area.offer_wave_size = wave_size
        area.max_offer_waves = max_waves
        area.coordinator_phone = COORDINATOR


def _request(hotline) -> HelpRequest:
    with hotline.database.session() as session:
        return session.scalar(select(HelpRequest))


def _offers(hotline) -> dict[int, tuple[int, str]]:
    with hotline.database.session() as session:
        return {row.volunteer_id: (row.wave, row.status) for row in session.scalars(select(Offer))}


def test_unanswered_waves_end_with_the_coordinator(hotline, clock):
    ids = [hotline.add_volunteer(*volunteer) for volunteer in VOLUNTEERS]
    _configure_area(hotline)

    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    assert _request(hotline).status == STATUS_OFFERED
    assert sorted(wave for wave, _ in _offers(hotline).values()) == [1, 1]

    clock.advance(minutes=11)
    sweep()
    hotline.run_jobs()

    offers = _offers(hotline)
    assert sorted(offers.values()) == [(1, OFFER_EXPIRED), (1, OFFER_EXPIRED), (2, OFFER_PENDING), (2, OFFER_PENDING)]
    assert set(offers) == set(ids)

    clock.advance(minutes=11)
    sweep()
    hotline.run_jobs()

    request = _request(hotline)
    assert request.status == STATUS_ESCALATED
    assert request.escalated_at is not None
    alerts = hotline.bodies_to(COORDINATOR)
    assert len(alerts) == 1
    assert "1" in alerts[0]
    assert "+383 44 200 001" in alerts[0]
    assert [status for _, status in _offers(hotline).values()].count(OFFER_WITHDRAWN) == 0
    assert len(hotline.bodies_to(CITIZEN_SR)) == 2


def test_expiry_job_moves_to_the_next_wave(hotline, clock):
    for volunteer in VOLUNTEERS[:2]:
        hotline.add_volunteer(*volunteer)
    _configure_area(hotline, wave_size=1, max_waves=3)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    request_id = _request(hotline).id

    assert expire_offers(request_id, 1) == "skipped"
    clock.advance(minutes=10, seconds=1)
    assert expire_offers(request_id, 1) == "offered"
    hotline.run_jobs()

    assert sorted(_offers(hotline).values()) == [(1, OFFER_EXPIRED), (2, OFFER_PENDING)]


def test_everyone_declining_starts_the_next_wave_at_once(hotline):
    for volunteer in VOLUNTEERS:
        hotline.add_volunteer(*volunteer)
    _configure_area(hotline, wave_size=2, max_waves=2)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    first_wave = [phone for name, phone in VOLUNTEERS if hotline.bodies_to(phone)]

    for phone in first_wave:
        hotline.text(phone, "NE 1")

    second_wave = [phone for name, phone in VOLUNTEERS if phone not in first_wave and hotline.bodies_to(phone)]
    assert len(first_wave) == 2
    assert len(second_wave) == 2


def test_no_matching_volunteer_escalates_at_once(hotline):
    hotline.add_volunteer("Marko", VOLUNTEERS[0][1], languages="sr", skills="documents")
    _configure_area(hotline)

    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")

    assert _request(hotline).status == STATUS_ESCALATED
    assert len(hotline.bodies_to(COORDINATOR)) == 1


def test_pausing_volunteer_gives_back_tasks(hotline):
    marko = hotline.add_volunteer(*VOLUNTEERS[0])
    arta = hotline.add_volunteer(*VOLUNTEERS[1])
    _configure_area(hotline, wave_size=1, max_waves=3)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    hotline.text(VOLUNTEERS[0][1], "DA 1")
    assert _request(hotline).volunteer_id == marko

    hotline.text(VOLUNTEERS[0][1], "PAUZA")

    request = _request(hotline)
    assert request.status == STATUS_OFFERED
    assert request.volunteer_id is None
    offers = _offers(hotline)
    assert offers[marko][1] == OFFER_WITHDRAWN
    # A give-back starts a new round of waves.
    assert offers[arta] == (1, OFFER_PENDING)
    hotline.text(VOLUNTEERS[1][1], "DA 1")
    assert _request(hotline).volunteer_id == arta
    assert _request(hotline).status == STATUS_ACCEPTED


def test_given_back_task_reoffers_race_losers(hotline):
    marko = hotline.add_volunteer(*VOLUNTEERS[0])
    arta = hotline.add_volunteer(*VOLUNTEERS[1])
    _configure_area(hotline, wave_size=2, max_waves=1)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    hotline.text(VOLUNTEERS[1][1], "DA 1")
    assert _offers(hotline)[marko] == (1, OFFER_TAKEN)

    # Arta goes on a break with the task, in the last allowed wave.
    hotline.text(VOLUNTEERS[1][1], "PAUZA")

    assert _request(hotline).status == STATUS_OFFERED
    assert _offers(hotline)[marko] == (1, OFFER_PENDING)
    assert hotline.bodies_to(VOLUNTEERS[0][1])[-1].startswith("Novi zahtev 1:")
    hotline.text(VOLUNTEERS[0][1], "DA 1")
    assert _request(hotline).volunteer_id == marko


def test_reminder_then_coordinator_alert_for_open_task(hotline, clock):
    hotline.add_volunteer(*VOLUNTEERS[0])
    _configure_area(hotline, wave_size=1)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    hotline.text(VOLUNTEERS[0][1], "DA 1")
    texts_before = len(hotline.bodies_to(VOLUNTEERS[0][1]))

    clock.advance(hours=25)
    sweep()
    hotline.run_jobs()
    sweep()
    hotline.run_jobs()

    assert len(hotline.bodies_to(VOLUNTEERS[0][1])) == texts_before + 1
    assert hotline.bodies_to(COORDINATOR) == []

    clock.advance(hours=48)
    sweep()
    hotline.run_jobs()

    assert len(hotline.bodies_to(VOLUNTEERS[0][1])) == texts_before + 1
    assert len(hotline.bodies_to(COORDINATOR)) == 1


def test_volunteer_outside_their_hours_gets_no_offer(hotline, clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from db.volunteer_profiles import VolunteerProfile

    night = datetime(2026, 12, 2, 23, 30, tzinfo=ZoneInfo("Europe/Belgrade"))
    clock.now = night.astimezone(ZoneInfo("UTC"))
    marko = hotline.add_volunteer(*VOLUNTEERS[0])
    arta = hotline.add_volunteer(*VOLUNTEERS[1])
    _configure_area(hotline, wave_size=2)
    with hotline.database.session() as session:
        session.add(VolunteerProfile(volunteer_id=marko, available_from="08:00", available_until="20:00"))
        session.add(VolunteerProfile(volunteer_id=arta, available_from="20:00", available_until="08:00"))

    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")

    assert set(_offers(hotline)) == {arta}
    assert hotline.bodies_to(VOLUNTEERS[0][1]) == []
