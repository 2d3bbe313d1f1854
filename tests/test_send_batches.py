"""A send job takes other queued rows with it: each row leaves once, and each person's texts in order."""

from sqlalchemy import select

from db.areas import get_default_area
from db.base import utcnow
from db.messages import STATUS_RETRYING, STATUS_SENT, Message
from ivr_flows.outgoing import queue_body
from tests.conftest import CITIZEN_EN, CITIZEN_SQ, CITIZEN_SR
from workers.sending import SEND_BATCH_SIZE, send_message

RECIPIENTS = (CITIZEN_SR, CITIZEN_SQ, CITIZEN_EN)


def _queue(hotline, count: int, recipients: tuple[str, ...] = RECIPIENTS) -> list[int]:
    """Queue texts to the recipients in turn, each with its place in the queue in the body."""
    with hotline.database.session() as session:
        area = get_default_area(session)
        return [queue_body(session, area, recipients[index % len(recipients)], f"Poruka {index}", "reply").id
                for index in range(count)]


def _rows(hotline) -> dict[int, Message]:
    with hotline.database.session() as session:
        return {message.id: message for message in session.scalars(select(Message))}


def test_send_batch_sends_rows_once_in_order(hotline):
    ids = _queue(hotline, SEND_BATCH_SIZE + 4)

    assert send_message(ids[0]) == STATUS_SENT
    after_one_job = _rows(hotline)
    sent_by_one_job = sorted(i for i in ids if after_one_job[i].status == STATUS_SENT)
    assert len(sent_by_one_job) == SEND_BATCH_SIZE
    assert len(hotline.fake.messages()) == SEND_BATCH_SIZE

    hotline.run_jobs()

    rows = _rows(hotline)
    assert {rows[i].status for i in ids} == {STATUS_SENT}
    assert {rows[i].attempts for i in ids} == {1}
    # Every row reached the provider once, whichever job carried it.
    assert sorted(request.body for request in hotline.fake.messages()) == sorted(f"Poruka {n}" for n in range(len(ids)))
    for offset, citizen in enumerate(RECIPIENTS):
        expected = [f"Poruka {n}" for n in range(offset, len(ids), 3)]
        assert hotline.bodies_to(citizen) == expected


def test_send_batch_failed_row_waits_for_backoff(hotline):
    # One recipient, so the two texts leave one after the other and the first one meets the failure.
    ids = _queue(hotline, 2, recipients=(CITIZEN_SR,))
    hotline.fake.fail_next(1, status=503)

    # The first row fails and is put back; the second leaves in the same job.
    assert send_message(ids[0]) == STATUS_RETRYING
    failed = _rows(hotline)[ids[0]]
    assert failed.next_attempt_at > utcnow()

    # Its own job, still in the queue, runs at once and must not cut the backoff short.
    hotline.run_jobs()
    rows = _rows(hotline)
    assert (rows[ids[0]].status, rows[ids[0]].attempts) == (STATUS_RETRYING, 1)
    assert rows[ids[1]].status == STATUS_SENT
    assert [request.body for request in hotline.fake.messages()] == ["Poruka 1"]
