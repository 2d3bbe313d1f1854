"""Each volunteer's count of open tasks: kept by every transition, and used to spread the work."""

from sqlalchemy import func, select, update

from db.areas import ServiceArea, get_default_area
from db.directory import get_or_create_citizen
from db.lifecycle import (
    accept_request,
    assign_request,
    cancel_request,
    close_request,
    complete_request,
    create_request,
    give_back_request,
    mark_offered,
)
from db.people import Volunteer
from db.requests import HelpRequest
from db.volunteers import add_volunteer
from tests.conftest import CITIZEN_EN, CITIZEN_SQ, CITIZEN_SR, VOLUNTEER_ARTA, VOLUNTEER_MARKO


def _counts(session) -> dict[str, tuple[int, int]]:
    """Each volunteer's stored count beside the count of accepted requests they hold."""
    session.expire_all()
    accepted_counts = dict(session.execute(
        select(HelpRequest.volunteer_id, func.count())
        .where(HelpRequest.status == "accepted")
        .group_by(HelpRequest.volunteer_id)
    ).all())
    return {volunteer.name: (volunteer.open_tasks, accepted_counts.get(volunteer.id, 0))
            for volunteer in session.scalars(select(Volunteer))}


def test_every_transition_keeps_the_count_of_open_tasks(db_session):
    area = get_default_area(db_session)
    marko = add_volunteer(db_session, area, *VOLUNTEER_MARKO, "sr,en", "documents,delivery")
    arta = add_volunteer(db_session, area, *VOLUNTEER_ARTA, "sq,en", "documents,delivery")
    citizen = get_or_create_citizen(db_session, area.id, CITIZEN_SR)
    first, second, third = (create_request(db_session, citizen, "delivery", f"hleb {n}") for n in range(3))
    for request in (first, second, third):
        mark_offered(db_session, request, [marko, arta])
    db_session.commit()

    steps = [
        (lambda: accept_request(db_session, first, marko).won, {"Marko": 1, "Arta": 0}),
        (lambda: accept_request(db_session, first, arta).won, {"Marko": 1, "Arta": 0}),
        (lambda: accept_request(db_session, second, marko).won, {"Marko": 2, "Arta": 0}),
        (lambda: give_back_request(db_session, second, marko, "phone lost"), {"Marko": 1, "Arta": 0}),
        (lambda: give_back_request(db_session, second, marko, "again"), {"Marko": 1, "Arta": 0}),
        (lambda: assign_request(db_session, second, arta, "coordinator:1"), {"Marko": 1, "Arta": 1}),
        (lambda: complete_request(db_session, second, marko), {"Marko": 1, "Arta": 1}),
        (lambda: complete_request(db_session, second, arta), {"Marko": 1, "Arta": 0}),
        (lambda: cancel_request(db_session, first, "coordinator:1", "citizen moved"), {"Marko": 0, "Arta": 0}),
        (lambda: cancel_request(db_session, first, "coordinator:1", "twice"), {"Marko": 0, "Arta": 0}),
        (lambda: accept_request(db_session, third, arta).won, {"Marko": 0, "Arta": 1}),
        (lambda: close_request(db_session, third, "coordinator:1"), {"Marko": 0, "Arta": 0}),
    ]
    outcomes = []
    for step, expected in steps:
        outcomes.append(step())
        db_session.commit()
        counts = _counts(db_session)
        assert counts == {name: (count, count) for name, count in expected.items()}
    assert outcomes == [True, False, True, True, False, True, False, True, True, False, True, True]


def test_open_tasks_unchanged_when_offered_request_is_cancelled(db_session):
    area = get_default_area(db_session)
    marko = add_volunteer(db_session, area, *VOLUNTEER_MARKO, "sr", "delivery")
    request = create_request(db_session, get_or_create_citizen(db_session, area.id, CITIZEN_SR), "delivery", "hleb")
    mark_offered(db_session, request, [marko])
    db_session.commit()

    assert cancel_request(db_session, request, "citizen:1")
    db_session.commit()
    assert _counts(db_session) == {"Marko": (0, 0)}


def test_routing_prefers_fewest_open_tasks(hotline):
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    arta = hotline.add_volunteer(*VOLUNTEER_ARTA)
    with hotline.database.session() as session:
        session.execute(update(ServiceArea).values(offer_wave_size=1))

    # Marko is first by id, so he gets the first offer and takes it.
    hotline.text(CITIZEN_SR, "Hrana za baku, Kralja Petra 12")
    assert len(hotline.bodies_to(VOLUNTEER_MARKO[1])) == 1
    hotline.text(VOLUNTEER_MARKO[1], "DA 1")

    # With one task on Marko, the next request goes to Arta.
    hotline.fake.reset()
    hotline.text(CITIZEN_SQ, "Ushqim per gjyshen, rruga Mbretit 3")
    assert hotline.bodies_to(VOLUNTEER_MARKO[1]) == []
    assert len(hotline.bodies_to(VOLUNTEER_ARTA[1])) == 1
    hotline.text(VOLUNTEER_ARTA[1], "PO 2")

    # Marko finishes his task: now he has none and Arta one.
    hotline.text(VOLUNTEER_MARKO[1], "GOTOVO 1")
    hotline.fake.reset()
    hotline.text(CITIZEN_EN, "Food for my mother please, Main Street 5")
    assert len(hotline.bodies_to(VOLUNTEER_MARKO[1])) == 1
    assert hotline.bodies_to(VOLUNTEER_ARTA[1]) == []

    with hotline.database.session() as session:
        assert {volunteer_id: session.get(Volunteer, volunteer_id).open_tasks for volunteer_id in (marko, arta)} \
            == {marko: 0, arta: 1}
