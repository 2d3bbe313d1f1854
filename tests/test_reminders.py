"""Reminders to volunteers and overdue alerts to coordinators, per area, once per request."""

from datetime import timedelta

from sqlalchemy import event, select

from db.areas import ServiceArea, get_default_area
from db.messages import DIRECTION_OUT, STATUS_DELIVERED, Message
from db.people import Citizen
from db.requests import STATUS_ACCEPTED, HelpRequest
from db.volunteers import add_volunteer
from tests.clock import clock  # noqa: F401  (fixture)
from tests.console_world import create_area
from workers.reminders import OVERDUE_KIND, REMINDER_KIND, send_due_reminders
from workers.sweeper import sweep

CENTER_COORDINATOR = "+38344999000"
NORTH_COORDINATOR = "+38328999000"
CENTER_VOLUNTEER = ("Marko", "+38344100001")
NORTH_VOLUNTEER = ("Arta", "+38328100002")


def _configure_area(area: ServiceArea, coordinator: str, reminder_hours: int, overdue_hours: int) -> None:
    # English texts, so the bodies below are the catalog's msgids filled in.
    area.default_locale = "en"
    area.coordinator_phone = coordinator
    area.reminder_hours = reminder_hours
    area.overdue_hours = overdue_hours


def _add_task(session, area: ServiceArea, volunteer_id: int, number: int, accepted_at, sent_kinds=()) -> None:
    """Store an accepted request, with outbox rows for the reminders and alerts that already went out."""
    citizen = Citizen(area_id=area.id, phone=f"+3834420{area.id:02d}{number:03d}")
    session.add(citizen)
    session.flush()
    request = HelpRequest(
        area_id=area.id, number=number, kind="delivery", details="bread", status=STATUS_ACCEPTED,
        citizen_id=citizen.id, volunteer_id=volunteer_id, created_at=accepted_at, accepted_at=accepted_at,
    )
    session.add(request)
    session.flush()
    for kind in sent_kinds:
        session.add(Message(
            area_id=area.id, direction=DIRECTION_OUT, to_number="+38344000000", body="sent before",
            status=STATUS_DELIVERED, kind=kind, request_id=request.id, sent_at=accepted_at,
        ))


def _bodies_to(hotline, phone: str) -> list[str]:
    return sorted(hotline.bodies_to(phone))


def _reminder(number: int) -> str:
    return f"Reminder: request {number} is yours. When it is finished, reply DONE {number}."


def _overdue(number: int, hours: int, volunteer: str) -> str:
    return f"Request {number} is still open after {hours} hours. Volunteer: {volunteer}."


def test_each_area_reminds_on_its_own_hours(hotline, clock):
    north_id = create_area(hotline.database, slug="north", name="North")
    now = clock.now
    with hotline.database.session() as session:
        center = get_default_area(session)
        north = session.get(ServiceArea, north_id)
        _configure_area(center, CENTER_COORDINATOR, reminder_hours=24, overdue_hours=72)
        _configure_area(north, NORTH_COORDINATOR, reminder_hours=2, overdue_hours=6)
        marko = add_volunteer(session, center, *CENTER_VOLUNTEER, "en", "delivery").id
        arta = add_volunteer(session, north, *NORTH_VOLUNTEER, "en", "delivery").id
        # Center: due and not reminded, already reminded, too young for 24 h
        # (though old enough for North's hours), overdue with only the reminder sent.
        _add_task(session, center, marko, 1, now - timedelta(hours=25))
        _add_task(session, center, marko, 2, now - timedelta(hours=25), [REMINDER_KIND])
        _add_task(session, center, marko, 3, now - timedelta(hours=10))
        _add_task(session, center, marko, 4, now - timedelta(hours=80), [REMINDER_KIND])
        # North: due for a reminder, due for both, both already sent, too young.
        _add_task(session, north, arta, 1, now - timedelta(hours=3))
        _add_task(session, north, arta, 2, now - timedelta(hours=7))
        _add_task(session, north, arta, 3, now - timedelta(hours=7), [REMINDER_KIND, OVERDUE_KIND])
        _add_task(session, north, arta, 4, now - timedelta(hours=1))

    counts = sweep()
    hotline.run_jobs()

    assert counts["reminders"] == 5
    assert _bodies_to(hotline, CENTER_VOLUNTEER[1]) == [_reminder(1)]
    assert _bodies_to(hotline, CENTER_COORDINATOR) == [_overdue(4, 72, "Marko")]
    assert _bodies_to(hotline, NORTH_VOLUNTEER[1]) == [_reminder(1), _reminder(2)]
    assert _bodies_to(hotline, NORTH_COORDINATOR) == [_overdue(2, 6, "Arta")]
    with hotline.database.session() as session:
        outbox = session.execute(
            select(HelpRequest.area_id, HelpRequest.number, Message.kind)
            .join(Message, Message.request_id == HelpRequest.id)
            .where(Message.body != "sent before")
        ).all()
    assert sorted(outbox) == sorted([
        (center.id, 1, REMINDER_KIND), (center.id, 4, OVERDUE_KIND),
        (north_id, 1, REMINDER_KIND), (north_id, 2, REMINDER_KIND), (north_id, 2, OVERDUE_KIND),
    ])

    clock.advance(minutes=30)
    counts = sweep()
    hotline.run_jobs()

    assert counts["reminders"] == 0
    assert len(hotline.fake.messages()) == 5


def test_overdue_alert_due_before_reminder(hotline, clock):
    with hotline.database.session() as session:
        center = get_default_area(session)
        _configure_area(center, CENTER_COORDINATOR, reminder_hours=48, overdue_hours=24)
        marko = add_volunteer(session, center, *CENTER_VOLUNTEER, "en", "delivery").id
        _add_task(session, center, marko, 1, clock.now - timedelta(hours=30))

    sweep()
    hotline.run_jobs()

    assert _bodies_to(hotline, CENTER_VOLUNTEER[1]) == []
    assert _bodies_to(hotline, CENTER_COORDINATOR) == [_overdue(1, 24, "Marko")]


def _count_sweep_statements(hotline, now) -> int:
    statements = []

    def record(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with hotline.database.session() as session:
        event.listen(hotline.database.engine, "before_cursor_execute", record)
        try:
            assert send_due_reminders(session, now) == 0
        finally:
            event.remove(hotline.database.engine, "before_cursor_execute", record)
    return len(statements)


def test_sweep_statements_do_not_grow_with_tasks(hotline, clock):
    with hotline.database.session() as session:
        center = get_default_area(session)
        _configure_area(center, CENTER_COORDINATOR, reminder_hours=24, overdue_hours=72)
        marko = add_volunteer(session, center, *CENTER_VOLUNTEER, "en", "delivery").id
    # Nothing is due in the open tasks: each is too young, reminded but not yet
    # overdue, or reminded and reported overdue.
    held_for_and_sent = [
        (timedelta(hours=1), []),
        (timedelta(hours=30), [REMINDER_KIND]),
        (timedelta(hours=100), [REMINDER_KIND, OVERDUE_KIND]),
    ]

    def add_tasks(numbers) -> None:
        with hotline.database.session() as session:
            center = get_default_area(session)
            for number in numbers:
                held_for, sent_kinds = held_for_and_sent[number % 3]
                _add_task(session, center, marko, number, clock.now - held_for, sent_kinds)

    add_tasks(range(1, 4))
    with_3_tasks = _count_sweep_statements(hotline, clock.now)
    add_tasks(range(4, 31))
    with_30_tasks = _count_sweep_statements(hotline, clock.now)

    assert with_3_tasks == with_30_tasks
