"""A citizen who sends the same request again, or the address in a second SMS."""

from sqlalchemy import select

from db.requests import HelpRequest
from tests.clock import clock  # noqa: F401  (fixture)
from tests.conftest import CITIZEN_SQ, CITIZEN_SR, VOLUNTEER_MARKO


def _requests(hotline) -> list[HelpRequest]:
    with hotline.database.session() as session:
        return session.scalars(select(HelpRequest).order_by(HelpRequest.id)).all()


def test_same_request_again_makes_no_second_request(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)

    hotline.text(CITIZEN_SR, "Treba mi hleb i mleko, Kralja Petra 14")
    hotline.text(CITIZEN_SR, "treba mi hleb i mleko kralja petra 14")

    assert [request.number for request in _requests(hotline)] == [1]
    assert hotline.bodies_to(CITIZEN_SR) == [
        "Hvala. Broj Vašeg zahteva je 1. Volonter će Vam se uskoro javiti.",
        "Ovaj zahtev već imamo, broj 1.",
    ]
    assert len(hotline.bodies_to(VOLUNTEER_MARKO[1])) == 1


def test_other_words_make_a_new_request(hotline):
    hotline.text(CITIZEN_SR, "Treba mi hleb i mleko, Kralja Petra 14")
    hotline.text(CITIZEN_SR, "Treba mi i lek za pritisak, Kralja Petra 14")

    assert [request.number for request in _requests(hotline)] == [1, 2]


def test_follow_up_address_is_added_to_request(hotline):
    hotline.text(CITIZEN_SR, "hleb i mleko")
    hotline.text(CITIZEN_SR, "Kralja Petra 5")

    (request,) = _requests(hotline)
    assert request.details == "hleb i mleko\nKralja Petra 5"
    assert hotline.bodies_to(CITIZEN_SR)[-1] == "Hvala. Ovo smo dodali Vašem zahtevu 1."


def test_volunteer_hears_what_the_citizen_adds(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SQ, "Kam nevojë për ilaçe, rruga Mbretit 3")
    hotline.text(VOLUNTEER_MARKO[1], "DA 1")

    hotline.text(CITIZEN_SQ, "Trokitni dy herë")

    assert hotline.bodies_to(CITIZEN_SQ)[-1] == "Faleminderit. E shtuam këtë te kërkesa juaj 1."
    assert hotline.bodies_to(VOLUNTEER_MARKO[1])[-1] == "Zahtev 1: građanin dodaje: Trokitni dy herë"


def test_late_message_is_not_taken_for_more_details(hotline, clock):
    hotline.text(CITIZEN_SR, "hleb i mleko")
    clock.advance(hours=2)

    hotline.text(CITIZEN_SR, "Kralja Petra 5")

    (request,) = _requests(hotline)
    assert request.details == "hleb i mleko"
    assert hotline.bodies_to(CITIZEN_SR)[-1].startswith("Izvinite, nismo razumeli.")
