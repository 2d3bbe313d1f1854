"""`hotline coordinator`: accounts for the console from the command line."""

from db.coordinators import find_coordinator
from gateway.cli_coordinators import coordinator_group
from tests.console_world import PASSWORD, create_area, sign_in


def test_coordinator_add_creates_account_for_default_area(app, client):
    runner = app.test_cli_runner()

    result = runner.invoke(coordinator_group, ["add", "Ana", "--name", "Ana Jovanović", "--password", PASSWORD])

    assert result.exit_code == 0, result.output
    assert "Added coordinator ana (Ana Jovanović), areas: default." in result.output
    assert sign_in(client).status_code == 302


def test_coordinator_add_admin_sees_every_area(app):
    runner = app.test_cli_runner()

    result = runner.invoke(coordinator_group, ["add", "boss", "--admin", "--password", PASSWORD])

    assert result.exit_code == 0, result.output
    with app.extensions["hotline.db"].session() as session:
        assert find_coordinator(session, "boss").is_admin is True


def test_coordinator_add_with_named_areas(app):
    create_area(app.extensions["hotline.db"])
    runner = app.test_cli_runner()

    result = runner.invoke(coordinator_group, ["add", "besa", "--area", "zvecan", "--area", "default",
                                               "--password", PASSWORD])

    assert result.exit_code == 0, result.output
    with app.extensions["hotline.db"].session() as session:
        assert sorted(area.slug for area in find_coordinator(session, "besa").areas) == ["default", "zvecan"]


def test_coordinator_add_rejects_unknown_area(app):
    result = app.test_cli_runner().invoke(coordinator_group, ["add", "ana", "--area", "nowhere", "--password", PASSWORD])

    assert result.exit_code == 1
    assert "no service area nowhere" in result.output


def test_coordinator_add_rejects_short_password(app):
    result = app.test_cli_runner().invoke(coordinator_group, ["add", "ana", "--password", "short"])

    assert result.exit_code == 1
    assert "at least 10 characters" in result.output


def test_coordinator_add_rejects_duplicate(app):
    runner = app.test_cli_runner()
    runner.invoke(coordinator_group, ["add", "ana", "--password", PASSWORD])

    result = runner.invoke(coordinator_group, ["add", "ANA", "--password", PASSWORD])

    assert result.exit_code == 1
    assert "already exists" in result.output


def test_coordinator_disable_ends_sign_in(app, client):
    runner = app.test_cli_runner()
    runner.invoke(coordinator_group, ["add", "ana", "--password", PASSWORD])
    sign_in(client)

    result = runner.invoke(coordinator_group, ["disable", "ana"])

    assert result.exit_code == 0, result.output
    assert client.get("/console/").status_code == 302
    assert sign_in(client).status_code == 401


def test_coordinator_password_changes_sign_in(app, client):
    runner = app.test_cli_runner()
    runner.invoke(coordinator_group, ["add", "ana", "--password", PASSWORD])

    result = runner.invoke(coordinator_group, ["password", "ana", "--password", "another long password"])

    assert result.exit_code == 0, result.output
    assert sign_in(client).status_code == 401
    assert sign_in(client, password="another long password").status_code == 302


def test_coordinator_list_shows_areas(app):
    runner = app.test_cli_runner()
    runner.invoke(coordinator_group, ["add", "ana", "--name", "Ana", "--password", PASSWORD])

    result = runner.invoke(coordinator_group, ["list"])

    assert "ana" in result.output
    assert "default" in result.output


def test_coordinator_add_rejects_invalid_username(app):
    result = app.test_cli_runner().invoke(coordinator_group, ["add", "ana jovanović", "--password", PASSWORD])

    assert result.exit_code == 1
    assert "invalid username 'ana jovanović'" in result.output
