"""The whole SMS path through HTTP: citizen → volunteers → acceptance → confirmation."""

from sqlalchemy import select

from db.messages import DIRECTION_IN, STATUS_SENT, Message
from db.requests import OFFER_ACCEPTED, OFFER_TAKEN, STATUS_ACCEPTED, STATUS_DONE, STATUS_OFFERED, HelpRequest, Offer
from tests.conftest import CITIZEN_SQ, CITIZEN_SR, VOLUNTEER_ARTA, VOLUNTEER_MARKO


def _request(hotline, number: int) -> HelpRequest:
    with hotline.database.session() as session:
        return session.scalar(select(HelpRequest).where(HelpRequest.number == number))


def test_citizen_request_reaches_volunteers_and_confirmation_returns(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.add_volunteer(*VOLUNTEER_ARTA)

    response = hotline.text(CITIZEN_SR, "Hrana i lekovi za baku, Ul. Kralja Petra 12")

    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.get_data(as_text=True) == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    request = _request(hotline, 1)
    assert request.status == STATUS_OFFERED
    assert request.kind == "delivery"
    assert request.details == "Hrana i lekovi za baku, Ul. Kralja Petra 12"
    citizen_texts = hotline.bodies_to(CITIZEN_SR)
    assert len(citizen_texts) == 1
    assert "1" in citizen_texts[0]
    marko_offer = hotline.bodies_to(VOLUNTEER_MARKO[1])
    arta_offer = hotline.bodies_to(VOLUNTEER_ARTA[1])
    assert len(marko_offer) == 1
    assert len(arta_offer) == 1
    assert "DA 1" in marko_offer[0]

    hotline.text(VOLUNTEER_MARKO[1], "DA 1")

    request = _request(hotline, 1)
    assert request.status == STATUS_ACCEPTED
    citizen_texts = hotline.bodies_to(CITIZEN_SR)
    assert len(citizen_texts) == 2
    assert "Marko" in citizen_texts[1]
    assert "1" in citizen_texts[1]
    marko_texts = hotline.bodies_to(VOLUNTEER_MARKO[1])
    assert "+383 44 200 001" in marko_texts[1]
    assert "Kralja Petra 12" in marko_texts[1]
    assert len(hotline.bodies_to(VOLUNTEER_ARTA[1])) == 2
    with hotline.database.session() as session:
        outcomes = dict(session.execute(select(Offer.volunteer_id, Offer.status)).all())
    assert sorted(outcomes.values()) == sorted([OFFER_ACCEPTED, OFFER_TAKEN])

    hotline.text(VOLUNTEER_MARKO[1], "gotovo")

    assert _request(hotline, 1).status == STATUS_DONE
    assert len(hotline.bodies_to(CITIZEN_SR)) == 3


def test_outbound_rows_store_provider_sid_and_cost(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)

    hotline.text(CITIZEN_SR, "HRANA")

    with hotline.database.session() as session:
        reply = session.scalar(select(Message).where(Message.to_number == CITIZEN_SR))
    assert reply.status == STATUS_SENT
    assert reply.provider_sid.startswith("SM")
    assert reply.encoding in ("GSM-7", "UCS-2")
    assert reply.segments >= 1
    sent = hotline.fake.messages(to=CITIZEN_SR)[0]
    assert sent.form["From"] == "+38328000100"
    assert sent.form["StatusCallback"] == "https://hotline.example.org/twilio/sms/status"


def test_bare_keyword_asks_for_details_first(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)

    hotline.text(CITIZEN_SR, "HRANA")

    assert _request(hotline, 1) is None
    hotline.text(CITIZEN_SR, "hleb i mleko, Ulica Sumadijska 4")
    request = _request(hotline, 1)
    assert request.kind == "delivery"
    assert request.details == "hleb i mleko, Ulica Sumadijska 4"


def test_document_menu_by_number(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)

    hotline.text(CITIZEN_SR, "DOKUMENT")
    hotline.text(CITIZEN_SR, "2")
    hotline.text(CITIZEN_SR, "Za Milana Jovanovica, Ulica Cara Dusana 3")

    request = _request(hotline, 1)
    assert request.kind == "document"
    assert request.document_type == "marriage_certificate"
    assert request.details == "Za Milana Jovanovica, Ulica Cara Dusana 3"


def test_repeated_webhook_changes_nothing(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)

    first = hotline.text(CITIZEN_SR, "treba mi hleb i lekovi", sid="SMrepeated0001")
    second = hotline.text(CITIZEN_SR, "treba mi hleb i lekovi", sid="SMrepeated0001")

    assert first.status_code == 200
    assert second.status_code == 200
    with hotline.database.session() as session:
        inbound = session.scalars(select(Message).where(Message.direction == DIRECTION_IN)).all()
        requests = session.scalars(select(HelpRequest)).all()
    assert len(inbound) == 1
    assert len(requests) == 1
    assert len(hotline.bodies_to(CITIZEN_SR)) == 1
    assert len(hotline.bodies_to(VOLUNTEER_MARKO[1])) == 1


def test_volunteer_language_must_match_citizen(hotline):
    hotline.add_volunteer("Marko", VOLUNTEER_MARKO[1], languages="sr")
    hotline.add_volunteer("Arta", VOLUNTEER_ARTA[1], languages="sq")

    hotline.text(CITIZEN_SQ, "ushqim dhe ilaçe për babin")

    assert hotline.bodies_to(VOLUNTEER_MARKO[1]) == []
    assert len(hotline.bodies_to(VOLUNTEER_ARTA[1])) == 1
    assert "PO 1" in hotline.bodies_to(VOLUNTEER_ARTA[1])[0]


def test_status_reports_the_open_request(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")

    hotline.text(CITIZEN_SR, "STATUS")

    texts = hotline.bodies_to(CITIZEN_SR)
    assert len(texts) == 2
    assert "1" in texts[1]


def test_accept_without_number_takes_the_only_offer(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")

    hotline.text(VOLUNTEER_MARKO[1], "da")

    assert _request(hotline, 1).status == STATUS_ACCEPTED


def test_one_senders_messages_are_handled_in_order(hotline):
    from workers.inbound import process_inbound

    hotline.add_volunteer(*VOLUNTEER_MARKO)
    for body in ("DOKUMENT", "2", "Za Milana Jovanovica, Ulica Cara Dusana 3"):
        assert hotline.client_post(CITIZEN_SR, body) == 200
    with hotline.database.session() as session:
        last_id = session.scalar(select(Message.id).where(Message.direction == DIRECTION_IN).order_by(Message.id.desc()))

    assert process_inbound(last_id) == 3
    hotline.run_jobs()

    request = _request(hotline, 1)
    assert request.document_type == "marriage_certificate"
    assert request.details == "Za Milana Jovanovica, Ulica Cara Dusana 3"
    with hotline.database.session() as session:
        statuses = session.scalars(select(Message.status).where(Message.direction == DIRECTION_IN)).all()
    assert statuses == ["handled", "handled", "handled"]
