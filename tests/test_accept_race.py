"""Two volunteers accept at the same moment: exactly one wins."""

import threading

from sqlalchemy import select

from db.messages import Message
from db.requests import OFFER_ACCEPTED, OFFER_TAKEN, STATUS_ACCEPTED, HelpRequest, Offer
from tests.conftest import CITIZEN_SR, VOLUNTEER_ARTA, VOLUNTEER_MARKO
from workers.inbound import process_inbound

ROUNDS = 5


def _accept_together(hotline, number: int) -> list[int]:
    """Store both volunteers' "DA" messages, then process them in two threads at the same moment."""
    statuses = [hotline.client_post(phone, f"DA {number}") for phone in (VOLUNTEER_MARKO[1], VOLUNTEER_ARTA[1])]
    with hotline.database.session() as session:
        message_ids = session.scalars(
            select(Message.id).where(Message.direction == "in", Message.status == "received").order_by(Message.id)
        ).all()
    assert len(message_ids) == 2
    # The webhooks enqueued jobs too; the threads below run them first, so the
    # queued copies find nothing left to do.
    barrier = threading.Barrier(2)

    def process(message_id: int) -> None:
        barrier.wait()
        process_inbound(message_id)

    threads = [threading.Thread(target=process, args=(message_id,)) for message_id in message_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hotline.run_jobs()
    return statuses


def test_simultaneous_accepts_have_one_winner(hotline):
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    arta = hotline.add_volunteer(*VOLUNTEER_ARTA)

    for number in range(1, ROUNDS + 1):
        hotline.text(CITIZEN_SR, f"treba mi hleb i lekovi, runda {number}")
        statuses = _accept_together(hotline, number)

        assert statuses == [200, 200]
        with hotline.database.session() as session:
            request = session.scalar(select(HelpRequest).where(HelpRequest.number == number))
            offers = dict(session.execute(
                select(Offer.volunteer_id, Offer.status).where(Offer.request_id == request.id)
            ).all())
        assert request.status == STATUS_ACCEPTED
        assert request.volunteer_id in (marko, arta)
        loser = arta if request.volunteer_id == marko else marko
        assert offers[request.volunteer_id] == OFFER_ACCEPTED
        assert offers[loser] == OFFER_TAKEN

        with hotline.database.session() as session:
            kinds = session.execute(
                select(Message.volunteer_id, Message.kind).where(Message.request_id == request.id)
            ).all()
        assert (request.volunteer_id, "task") in kinds
        assert (loser, "task") not in kinds
        # The loser is told once that the task is taken (by the race or by the winner's announcement).
        assert len([kind for volunteer, kind in kinds if volunteer == loser and kind in ("offer_taken", "reply")]) == 1
