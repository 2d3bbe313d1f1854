"""The board and the request page: what a coordinator sees and every action they take."""

import threading

import pytest
from flask import Flask, Response, request
from sqlalchemy import select
from werkzeug.serving import make_server

from db.event_notes import WAVE_OFFERED, translate_note
from db.messages import DIRECTION_OUT, Message
from db.requests import (
    OFFER_ACCEPTED,
    STATUS_ACCEPTED,
    STATUS_CANCELLED,
    STATUS_DONE,
    STATUS_ESCALATED,
    STATUS_OFFERED,
    HelpRequest,
    Offer,
    RequestEvent,
)
from gateway import create_app
from ivr_flows.catalog import get_translations
from tests.conftest import CITIZEN_EN, CITIZEN_SQ, CITIZEN_SR, VOLUNTEER_ARTA, VOLUNTEER_MARKO
from tests.console_world import (
    OTHER_AREA_NUMBER,
    create_area,
    create_coordinator,
    find_request,
    post_form,
    sign_in,
)

DELIVERY_TEXT = "Hrana i lekovi za baku, Ul. Kralja Petra 12"


@pytest.fixture
def database(app):
    return app.extensions["hotline.db"]


@pytest.fixture
def ana(database, client):
    """Ana, coordinator of the default area, signed in."""
    create_coordinator(database)
    sign_in(client)
    return client


def escalate_new_request(hotline, citizen: str = CITIZEN_SR, body: str = DELIVERY_TEXT, to: str | None = None) -> HelpRequest:
    """Create a request while no volunteer exists, so routing escalates it at once."""
    if to:
        hotline.text(citizen, body, to=to)
    else:
        hotline.text(citizen, body)
    with hotline.database.session() as session:
        return session.scalars(select(HelpRequest).order_by(HelpRequest.id.desc())).first()


def events(database, request_id: int) -> list[tuple]:
    with database.session() as session:
        return [(event.from_status, event.to_status, event.actor, event.note) for event in session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id))]


# The board.

def test_board_lists_escalated_request_first(hotline, ana):
    hotline.add_volunteer(*VOLUNTEER_ARTA, languages="sq")
    offered = escalate_new_request(hotline, citizen=CITIZEN_SQ, body="Ushqim dhe ilaçe për gjyshen, Rruga e Dëshmorëve 3")
    # Arta speaks no English, so the newer request goes to staff at once.
    escalated = escalate_new_request(hotline, citizen=CITIZEN_EN, body="Food and medicine for my father, Main street 5")

    page = ana.get("/console/").get_data(as_text=True)

    assert offered.status == STATUS_OFFERED
    assert escalated.status == STATUS_ESCALATED
    assert page.index(f'/console/requests/{escalated.id}"') < page.index(f'/console/requests/{offered.id}"')
    assert 'class="status-escalated"' in page
    assert '<meta http-equiv="refresh" content="60">' in page


def test_board_shows_number_kind_language_and_state(hotline, ana):
    escalate_new_request(hotline, citizen=CITIZEN_SQ, body="Ushqim dhe ilaçe për gjyshen, Rruga e Dëshmorëve 3")
    ana.get("/console/language/en?next=/console/")

    page = ana.get("/console/").get_data(as_text=True)

    assert ">1</a>" in page
    assert "Food or medicine" in page
    assert "Albanian" in page
    assert "Escalated" in page


def test_board_filters_by_state_and_kind(hotline, ana):
    request = escalate_new_request(hotline)

    escalated_page = ana.get("/console/?state=escalated&kind=delivery").get_data(as_text=True)
    done_page = ana.get("/console/?state=done").get_data(as_text=True)
    document_page = ana.get("/console/?state=open&kind=document").get_data(as_text=True)

    link = f'/console/requests/{request.id}"'
    assert link in escalated_page
    assert link not in done_page
    assert link not in document_page


def test_board_filters_by_date(hotline, ana):
    request = escalate_new_request(hotline)
    today = request.created_at.date().isoformat()

    included = ana.get(f"/console/?from={today}&to=2999-12-31").get_data(as_text=True)
    excluded = ana.get("/console/?from=2001-01-01&to=2001-01-31").get_data(as_text=True)
    invalid = ana.get("/console/?from=yesterday")

    link = f'/console/requests/{request.id}"'
    assert link in included
    assert link not in excluded
    assert invalid.status_code == 200


def test_board_hides_other_areas(hotline, database, ana):
    create_area(database)
    other = escalate_new_request(hotline, to=OTHER_AREA_NUMBER)

    page = ana.get("/console/?state=all").get_data(as_text=True)

    assert f'/console/requests/{other.id}"' not in page


def test_board_area_filter_rejects_other_area(hotline, database, ana):
    other_area = create_area(database)

    response = ana.get(f"/console/?area={other_area}")

    assert response.status_code == 404


def test_admin_sees_every_area(hotline, database, client):
    create_area(database)
    own = escalate_new_request(hotline)
    other = escalate_new_request(hotline, to=OTHER_AREA_NUMBER)
    create_coordinator(database, username="admin", admin=True, name="Admin")
    sign_in(client, username="admin")

    page = client.get("/console/").get_data(as_text=True)

    assert f'/console/requests/{own.id}"' in page
    assert f'/console/requests/{other.id}"' in page
    assert client.get(f"/console/requests/{other.id}").status_code == 200


# The request page.

def test_request_page_shows_timeline(hotline, ana):
    request = escalate_new_request(hotline)
    ana.get("/console/language/en?next=/console/")

    page = ana.get(f"/console/requests/{request.id}").get_data(as_text=True)

    assert "Request 1" in page
    assert DELIVERY_TEXT in page
    assert "Text from the citizen" in page
    assert "Text to Citizen" in page
    assert "Sent" in page
    assert "System" in page
    assert "Escalated" in page


@pytest.mark.parametrize("language, note", [
    ("sr_Latn", "Sada nema slobodnog volontera sa potrebnim znanjem i jezikom"),
    ("sr_Cyrl", "Сада нема слободног волонтера са потребним знањем и језиком"),
    ("sq", "Tani nuk ka vullnetar të lirë me aftësinë dhe gjuhën e duhur"),
])
def test_request_page_shows_system_notes_in_console_language(hotline, ana, language, note):
    request = escalate_new_request(hotline)
    post_form(ana, f"/console/requests/{request.id}/notes", {"note": "Zvala sam ćerku."})
    ana.get(f"/console/language/{language}?next=/console/")

    page = ana.get(f"/console/requests/{request.id}").get_data(as_text=True)

    assert note in page
    assert "no volunteer with the right skill" not in page
    # A coordinator's own words stay as typed.
    assert "Zvala sam ćerku." in page


def test_system_note_keeps_its_numbers_in_translation():
    serbian = get_translations("sr_Latn").gettext

    assert translate_note(WAVE_OFFERED.format(wave=2, count=3), serbian) == "Krug 2: ponuda poslata za 3 volontera"
    assert translate_note("wave 2, volunteers offered: 3 (by hand)", serbian) == "wave 2, volunteers offered: 3 (by hand)"


def test_request_page_shows_calls(hotline, database, ana):
    from db.calls import OutboundCall, VoiceCall

    request = escalate_new_request(hotline)
    with database.session() as session:
        session.add(VoiceCall(call_sid="CA" + "1" * 32, area_id=request.area_id, citizen_id=request.citizen_id,
                              step="done", request_id=request.id, provider_status="completed", duration_seconds=48))
        session.add(OutboundCall(area_id=request.area_id, request_id=request.id, citizen_id=request.citizen_id,
                                 news="accepted", to_number=CITIZEN_SR, status="completed", answered_by="human"))
    ana.get("/console/language/en?next=/console/")

    page = ana.get(f"/console/requests/{request.id}").get_data(as_text=True)

    assert "Call from the citizen" in page
    assert "48 s" in page
    assert "Call to the citizen with the news: Accepted" in page
    assert "Answered" in page


def test_request_page_of_other_area_is_not_found(hotline, database, ana):
    create_area(database)
    other = escalate_new_request(hotline, to=OTHER_AREA_NUMBER)

    response = ana.get(f"/console/requests/{other.id}")

    assert response.status_code == 404


def test_unknown_request_is_not_found(ana):
    assert ana.get("/console/requests/999999").status_code == 404


@pytest.mark.parametrize("action, data", [
    ("assign", {"volunteer_id": "1"}),
    ("offer-again", {}),
    ("done", {}),
    ("cancel", {"reason": "duplicate"}),
    ("notes", {"note": "called her"}),
])
def test_actions_on_other_area_request_are_not_found(hotline, database, ana, action, data):
    create_area(database)
    other = escalate_new_request(hotline, to=OTHER_AREA_NUMBER)
    before = events(database, other.id)

    response = post_form(ana, f"/console/requests/{other.id}/{action}", data)

    assert response.status_code == 404
    assert events(database, other.id) == before
    assert find_request(database, other.number, other.area_id).status == STATUS_ESCALATED


@pytest.mark.parametrize("action, data", [
    ("assign", {"volunteer_id": "1"}),
    ("cancel", {"reason": "duplicate"}),
    ("notes", {"note": "called her"}),
])
def test_actions_without_csrf_token_are_rejected(hotline, database, ana, action, data):
    request = escalate_new_request(hotline)
    before = events(database, request.id)

    response = ana.post(f"/console/requests/{request.id}/{action}", data=data)

    assert response.status_code == 400
    assert events(database, request.id) == before


def test_assign_sends_task_to_volunteer_and_news_to_citizen(hotline, database, ana):
    request = escalate_new_request(hotline)
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.fake.reset()

    response = post_form(ana, f"/console/requests/{request.id}/assign", {"volunteer_id": str(marko)})
    hotline.run_jobs()

    assert response.status_code == 303
    stored = find_request(database, 1)
    assert stored.status == STATUS_ACCEPTED
    assert stored.volunteer_id == marko
    marko_texts = hotline.bodies_to(VOLUNTEER_MARKO[1])
    assert len(marko_texts) == 1
    assert "Kralja Petra 12" in marko_texts[0]
    assert "+383 44 200 001" in marko_texts[0]
    citizen_texts = hotline.bodies_to(CITIZEN_SR)
    assert len(citizen_texts) == 1
    assert "Marko" in citizen_texts[0]
    assert events(database, request.id)[-1] == (STATUS_ESCALATED, STATUS_ACCEPTED, "coordinator:ana", f"volunteer:{marko}")
    with database.session() as session:
        offer = session.scalar(select(Offer).where(Offer.request_id == request.id))
    assert (offer.volunteer_id, offer.status) == (marko, OFFER_ACCEPTED)


def test_assigned_volunteer_can_close_by_sms(hotline, database, ana):
    request = escalate_new_request(hotline)
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    post_form(ana, f"/console/requests/{request.id}/assign", {"volunteer_id": str(marko)})
    hotline.run_jobs()

    hotline.text(VOLUNTEER_MARKO[1], "GOTOVO 1")

    assert find_request(database, 1).status == STATUS_DONE


def test_assign_ends_other_pending_offers(hotline, database, ana):
    hotline.add_volunteer(*VOLUNTEER_ARTA)
    hotline.text(CITIZEN_SR, DELIVERY_TEXT)
    request = find_request(database, 1)
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.fake.reset()

    post_form(ana, f"/console/requests/{request.id}/assign", {"volunteer_id": str(marko)})
    hotline.run_jobs()

    assert request.status == STATUS_OFFERED
    assert find_request(database, 1).volunteer_id == marko
    arta_texts = hotline.bodies_to(VOLUNTEER_ARTA[1])
    assert len(arta_texts) == 1
    assert "1" in arta_texts[0]


def test_assign_loses_to_volunteer_who_accepted_first(hotline, database, ana):
    hotline.add_volunteer(*VOLUNTEER_ARTA)
    hotline.text(CITIZEN_SR, DELIVERY_TEXT)
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    request = find_request(database, 1)
    hotline.text(VOLUNTEER_ARTA[1], "DA 1")
    hotline.fake.reset()

    response = post_form(ana, f"/console/requests/{request.id}/assign", {"volunteer_id": str(marko)})
    hotline.run_jobs()

    assert response.status_code == 303
    stored = find_request(database, 1)
    assert stored.status == STATUS_ACCEPTED
    assert stored.volunteer_id != marko
    assert hotline.bodies_to(VOLUNTEER_MARKO[1]) == []
    assert events(database, request.id)[-1][2] != "coordinator:ana"


def test_assign_rejects_volunteer_of_other_area(hotline, database, ana):
    other_area = create_area(database)
    request = escalate_new_request(hotline)
    with database.session() as session:
        from db.areas import ServiceArea
        from db.volunteers import add_volunteer
        stranger = add_volunteer(session, session.get(ServiceArea, other_area), "Stranger", "+38344100009", "sr", "delivery").id

    response = post_form(ana, f"/console/requests/{request.id}/assign", {"volunteer_id": str(stranger)})
    hotline.run_jobs()

    assert response.status_code == 303
    assert find_request(database, 1).status == STATUS_ESCALATED
    assert hotline.bodies_to("+38344100009") == []


def test_offer_again_routes_to_new_volunteers(hotline, database, ana):
    request = escalate_new_request(hotline)
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.fake.reset()

    response = post_form(ana, f"/console/requests/{request.id}/offer-again")
    hotline.run_jobs()

    assert response.status_code == 303
    assert find_request(database, 1).status == STATUS_OFFERED
    offers = hotline.bodies_to(VOLUNTEER_MARKO[1])
    assert len(offers) == 1
    assert "DA 1" in offers[0]
    assert (STATUS_ESCALATED, "new", "coordinator:ana", None) in events(database, request.id)


def test_offer_again_escalation_texts_once(hotline, database, ana):
    request = escalate_new_request(hotline)

    post_form(ana, f"/console/requests/{request.id}/offer-again")
    hotline.run_jobs()

    assert find_request(database, 1).status == STATUS_ESCALATED
    escalation_texts = [body for body in hotline.bodies_to(CITIZEN_SR) if "prosleđen našem osoblju" in body]
    assert escalation_texts == ["Vaš zahtev 1 je prosleđen našem osoblju. Uskoro će Vam se javiti."]


@pytest.mark.parametrize("typed, shown", [("sr", "Sada nema slobodnog"), ("sr-Cyrl", "Сада нема слободног")])
def test_short_language_codes_are_understood(hotline, ana, typed, shown):
    request = escalate_new_request(hotline)
    ana.get("/console/language/en?next=/console/")

    ana.get(f"/console/language/{typed}?next=/console/")
    page = ana.get(f"/console/requests/{request.id}").get_data(as_text=True)

    assert shown in page


def test_offer_again_is_refused_unless_escalated(hotline, database, ana):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, DELIVERY_TEXT)
    request = find_request(database, 1)
    before = events(database, request.id)

    post_form(ana, f"/console/requests/{request.id}/offer-again")

    assert find_request(database, 1).status == STATUS_OFFERED
    assert events(database, request.id) == before


def test_mark_done_tells_citizen_and_volunteer(hotline, database, ana):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, DELIVERY_TEXT)
    hotline.text(VOLUNTEER_MARKO[1], "DA 1")
    request = find_request(database, 1)
    hotline.fake.reset()

    post_form(ana, f"/console/requests/{request.id}/done")
    hotline.run_jobs()

    assert find_request(database, 1).status == STATUS_DONE
    assert len(hotline.bodies_to(CITIZEN_SR)) == 1
    assert len(hotline.bodies_to(VOLUNTEER_MARKO[1])) == 1
    assert events(database, request.id)[-1] == (STATUS_ACCEPTED, STATUS_DONE, "coordinator:ana", None)


def test_mark_done_is_refused_before_acceptance(hotline, database, ana):
    request = escalate_new_request(hotline)

    post_form(ana, f"/console/requests/{request.id}/done")

    assert find_request(database, 1).status == STATUS_ESCALATED


def test_cancel_with_reason_tells_citizen_and_volunteer(hotline, database, ana):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, DELIVERY_TEXT)
    hotline.text(VOLUNTEER_MARKO[1], "DA 1")
    request = find_request(database, 1)
    hotline.fake.reset()

    post_form(ana, f"/console/requests/{request.id}/cancel", {"reason": "The family already got the medicine."})
    hotline.run_jobs()

    assert find_request(database, 1).status == STATUS_CANCELLED
    assert hotline.bodies_to(CITIZEN_SR) == ["Vaš zahtev 1 je otkazan."]
    volunteer_texts = hotline.bodies_to(VOLUNTEER_MARKO[1])
    assert len(volunteer_texts) == 1
    assert "1" in volunteer_texts[0]
    assert events(database, request.id)[-1] == (
        STATUS_ACCEPTED, STATUS_CANCELLED, "coordinator:ana", "The family already got the medicine.")


def test_cancel_without_reason_is_refused(hotline, database, ana):
    request = escalate_new_request(hotline)

    post_form(ana, f"/console/requests/{request.id}/cancel", {"reason": "  "})

    assert find_request(database, 1).status == STATUS_ESCALATED


def test_note_is_added_to_timeline(hotline, database, ana):
    request = escalate_new_request(hotline)

    post_form(ana, f"/console/requests/{request.id}/notes", {"note": "Called her daughter, she will pick it up."})
    page = ana.get(f"/console/requests/{request.id}").get_data(as_text=True)

    assert events(database, request.id)[-1] == (None, None, "coordinator:ana",
                                                 "Called her daughter, she will pick it up.")
    assert "Called her daughter, she will pick it up." in page


def test_empty_note_is_refused(hotline, database, ana):
    request = escalate_new_request(hotline)
    before = events(database, request.id)

    post_form(ana, f"/console/requests/{request.id}/notes", {"note": " "})

    assert events(database, request.id) == before


def test_note_is_escaped_in_page(hotline, ana):
    request = escalate_new_request(hotline)

    post_form(ana, f"/console/requests/{request.id}/notes", {"note": "<script>alert(1)</script>"})
    page = ana.get(f"/console/requests/{request.id}").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_actions_send_texts_through_outbox(hotline, database, ana):
    request = escalate_new_request(hotline)
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)

    post_form(ana, f"/console/requests/{request.id}/assign", {"volunteer_id": str(marko)})

    with database.session() as session:
        queued = session.scalars(select(Message).where(Message.direction == DIRECTION_OUT,
                                                       Message.volunteer_id == marko)).all()
    assert [message.status for message in queued] == ["queued"]


# Recordings.

class RecordingServer:
    """A provider stand-in on loopback that serves one recording to the right credentials."""

    AUDIO = b"ID3fake-mp3-bytes"

    def __init__(self, account_sid: str, auth_token: str):
        self.paths: list[str] = []
        app = Flask("recordings")

        @app.get("/2010-04-01/Accounts/<sid>/Recordings/<name>")
        def recording(sid, name):
            auth = request.authorization
            if auth is None or (auth.username, auth.password) != (account_sid, auth_token):
                return Response("", status=401)
            self.paths.append(request.path)
            if name != "RE123.mp3":
                return Response("", status=404)
            return Response(self.AUDIO, mimetype="audio/mpeg")

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        self._server.shutdown()


@pytest.fixture
def recording_client(env, hotline, database):
    """A console client whose provider base URL is a recording server; the request has a recording."""
    server = RecordingServer(env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"])
    app = create_app({**env, "TWILIO_API_BASE_URL": server.url})
    request = escalate_new_request(hotline)
    with database.session() as session:
        stored = session.get(HelpRequest, request.id)
        stored.recording_url = f"https://api.twilio.com/2010-04-01/Accounts/{env['TWILIO_ACCOUNT_SID']}/Recordings/RE123"
        stored.recording_seconds = 14
    client = app.test_client()
    yield client, server, request
    server.stop()
    app.extensions["hotline.db"].dispose()


def test_recording_plays_through_console(database, recording_client):
    client, server, request = recording_client
    create_coordinator(database)
    sign_in(client)

    page = client.get(f"/console/requests/{request.id}").get_data(as_text=True)
    audio = client.get(f"/console/requests/{request.id}/recording")

    assert f'<audio controls preload="none" src="/console/requests/{request.id}/recording">' in page
    assert "api.twilio.com" not in page
    assert "RE123" not in page
    assert audio.status_code == 200
    assert audio.data == RecordingServer.AUDIO
    assert audio.mimetype == "audio/mpeg"
    assert server.paths == [f"/2010-04-01/Accounts/{'AC' + '0' * 32}/Recordings/RE123.mp3"]


def test_recording_needs_sign_in(database, recording_client):
    client, server, request = recording_client

    response = client.get(f"/console/requests/{request.id}/recording")

    assert response.status_code == 302
    assert server.paths == []


def test_recording_of_other_area_is_not_fetched(hotline, database, recording_client):
    client, server, request = recording_client
    other_area = create_area(database)
    create_coordinator(database, username="besa", area_ids=[other_area], name="Besa")
    sign_in(client, username="besa")

    response = client.get(f"/console/requests/{request.id}/recording")

    assert response.status_code == 404
    assert server.paths == []
