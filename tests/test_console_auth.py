"""Console sign-in: passwords, session cookies, CSRF tokens, sign-in limits and languages."""

from db.coordinators import Coordinator, find_coordinator, set_password
from gateway.console.login_limits import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS
from tests.console_world import PASSWORD, create_coordinator, csrf_token, post_form, sign_in


def test_signed_out_browser_is_sent_to_sign_in(client):
    response = client.get("/console/volunteers?area=1")

    assert response.status_code == 302
    assert response.headers["Location"] == "/console/login?next=/console/volunteers?area%3D1"


def test_sign_in_opens_board(app, client):
    create_coordinator(app.extensions["hotline.db"])

    response = sign_in(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/console/"
    board = client.get("/console/")
    assert board.status_code == 200
    assert "Ana Jovanović" in board.get_data(as_text=True)


def test_session_cookie_is_httponly_lax_and_secure_for_https(app, client):
    create_coordinator(app.extensions["hotline.db"])

    response = sign_in(client)

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # The test deployment's PUBLIC_URL is https://hotline.example.org.
    assert "Secure" in cookie


def test_wrong_password_is_rejected(app, client):
    create_coordinator(app.extensions["hotline.db"])

    response = sign_in(client, password="wrong password")

    assert response.status_code == 401
    assert client.get("/console/").status_code == 302


def test_unknown_username_is_rejected_alike(app, client):
    create_coordinator(app.extensions["hotline.db"])

    response = sign_in(client, username="nobody")

    assert response.status_code == 401
    assert "Pogrešno korisničko ime ili lozinka." in response.get_data(as_text=True)


def test_password_is_stored_as_argon2_hash(app):
    database = app.extensions["hotline.db"]
    create_coordinator(database)

    with database.session() as session:
        stored = find_coordinator(session, "ana").password_hash

    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_account_locks_after_repeated_failures(app, client):
    create_coordinator(app.extensions["hotline.db"])
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert sign_in(client, password="wrong password").status_code == 401

    response = sign_in(client)

    assert response.status_code == 429
    assert client.get("/console/").status_code == 302


def test_account_lock_does_not_lock_other_accounts(app, client):
    database = app.extensions["hotline.db"]
    create_coordinator(database)
    create_coordinator(database, username="besa", name="Besa Krasniqi")
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        sign_in(client, password="wrong password")

    response = sign_in(client, username="besa")

    assert response.status_code == 302


def test_address_locks_after_failures_on_many_accounts(app, client):
    create_coordinator(app.extensions["hotline.db"])
    for attempt in range(MAX_FAILURES_PER_ADDRESS):
        assert sign_in(client, username=f"guess{attempt}").status_code == 401

    response = sign_in(client)

    assert response.status_code == 429


def test_successful_sign_in_clears_account_failures(app, client):
    create_coordinator(app.extensions["hotline.db"])
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        sign_in(client, password="wrong password")
    sign_in(client)
    post_form(client, "/console/logout")

    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        assert sign_in(client, password="wrong password").status_code == 401
    assert sign_in(client).status_code == 302


def test_sign_in_without_csrf_token_is_rejected(app, client):
    create_coordinator(app.extensions["hotline.db"])

    response = client.post("/console/login", data={"username": "ana", "password": PASSWORD})

    assert response.status_code == 400
    assert client.get("/console/").status_code == 302


def test_form_with_wrong_csrf_token_changes_nothing(app, client):
    create_coordinator(app.extensions["hotline.db"])
    sign_in(client)

    response = client.post("/console/logout", data={"csrf_token": "forged"})

    assert response.status_code == 400
    assert client.get("/console/").status_code == 200


def test_sign_out_ends_session(app, client):
    create_coordinator(app.extensions["hotline.db"])
    sign_in(client)

    response = post_form(client, "/console/logout")

    assert response.status_code == 302
    assert client.get("/console/").status_code == 302


def test_password_change_ends_other_sessions(app, client):
    database = app.extensions["hotline.db"]
    create_coordinator(database)
    sign_in(client)

    with database.session() as session:
        set_password(find_coordinator(session, "ana"), "a new long password")

    assert client.get("/console/").status_code == 302


def test_disabled_account_cannot_sign_in(app, client):
    database = app.extensions["hotline.db"]
    create_coordinator(database)
    with database.session() as session:
        find_coordinator(session, "ana").active = False

    assert sign_in(client).status_code == 401


def test_sign_in_returns_to_requested_console_page(app, client):
    create_coordinator(app.extensions["hotline.db"])
    token = csrf_token(client)

    response = client.post("/console/login?next=/console/reports",
                           data={"username": "ana", "password": PASSWORD, "csrf_token": token})

    assert response.headers["Location"] == "/console/reports"


def test_sign_in_ignores_next_outside_console(app, client):
    create_coordinator(app.extensions["hotline.db"])
    token = csrf_token(client)

    response = client.post("/console/login?next=//evil.example/steal",
                           data={"username": "ana", "password": PASSWORD, "csrf_token": token})

    assert response.headers["Location"] == "/console/"


def test_console_defaults_to_area_locale(app, client):
    create_coordinator(app.extensions["hotline.db"])
    sign_in(client)

    page = client.get("/console/").get_data(as_text=True)

    assert '<html lang="sr-Latn">' in page
    assert "Odjavite se" in page


def test_language_switch_changes_page_language(app, client):
    create_coordinator(app.extensions["hotline.db"])
    sign_in(client)

    client.get("/console/language/sq?next=/console/")
    albanian = client.get("/console/").get_data(as_text=True)
    client.get("/console/language/sr_Cyrl?next=/console/")
    cyrillic = client.get("/console/").get_data(as_text=True)
    client.get("/console/language/en?next=/console/")
    english = client.get("/console/").get_data(as_text=True)

    assert '<html lang="sq">' in albanian
    assert "Dilni" in albanian
    assert '<html lang="sr-Cyrl">' in cyrillic
    assert "Одјавите се" in cyrillic
    assert "Sign out" in english


def test_webhooks_need_no_csrf_token(hotline):
    response = hotline.text("+38344200001", "STATUS")

    assert response.status_code == 200


def test_coordinator_model_names_actor(app):
    database = app.extensions["hotline.db"]
    create_coordinator(database)

    with database.session() as session:
        coordinator = session.query(Coordinator).one()

    assert coordinator.actor == "coordinator:ana"
