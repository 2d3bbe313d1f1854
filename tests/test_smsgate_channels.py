"""`hotline provider` and `hotline area`: wiring an area to its providers from the command line."""

from sqlalchemy import select

from db.areas import get_default_area
from db.channels import AreaChannel, ChannelProvider
from gateway.cli_channels import (
    area_clear_channel_command,
    area_set_channel_command,
    area_set_coordinator_command,
    area_show_command,
    provider_add_command,
    provider_list_command,
)
from tests.smsgate_world import (  # noqa: F401  (fixtures)
    fake_smsgate,
    fake_smsgate_server,
    gateway_area,
    gateway_env,
    phone,
)


def _invoke(app, command, *args):
    result = app.test_cli_runner().invoke(command, list(args))
    return result


def _add_phone(app, fake_smsgate):
    return _invoke(app, provider_add_command, "north-phone", "--kind", "smsgate", "--url", fake_smsgate.url,
                   "--account-env", "TEST_SMSGATE_USER", "--secret-env", "TEST_SMSGATE_PASSWORD",
                   "--signing-key-env", "TEST_SMSGATE_SIGNING_KEY", "--sim", "+383=1", "--sim", "+381=2",
                   "--max-per-hour", "250")


def test_provider_add_stores_names_of_variables(app, gateway_env, fake_smsgate):
    result = _add_phone(app, fake_smsgate)

    assert result.exit_code == 0, result.output
    assert result.stdout == "Added provider north-phone (smsgate).\n"
    with app.extensions["hotline.db"].session() as session:
        stored = session.scalar(select(ChannelProvider).where(ChannelProvider.name == "north-phone"))
    assert stored.secret_env == "TEST_SMSGATE_PASSWORD"
    assert stored.sim_by_prefix == "+383=1,+381=2"
    assert stored.max_per_hour == 250
    assert fake_smsgate.password not in repr(vars(stored))


def test_provider_add_rejects_secret_value(app):
    result = _invoke(app, provider_add_command, "north-phone", "--kind", "smsgate", "--url", "http://192.0.2.1:8080",
                     "--secret-env", "hunter2-the-password", "--signing-key-env", "KEY")

    assert result.exit_code == 2
    assert "is not an environment variable name" in result.output


def test_provider_add_rejects_a_bad_sim_rule(app):
    result = _invoke(app, provider_add_command, "north-phone", "--kind", "smsgate", "--url", "http://192.0.2.1:8080",
                     "--secret-env", "PASSWORD", "--signing-key-env", "KEY", "--sim", "383:1")

    assert result.exit_code == 1
    assert "invalid SIM rule '383:1'" in result.output


def test_provider_list_says_which_variables_are_set(app, gateway_env, fake_smsgate, monkeypatch):
    _add_phone(app, fake_smsgate)
    monkeypatch.delenv("TEST_SMSGATE_SIGNING_KEY")

    result = _invoke(app, provider_list_command)

    assert result.stdout.splitlines()[1] == ("    credentials: TEST_SMSGATE_USER set, TEST_SMSGATE_PASSWORD set, "
                                             "TEST_SMSGATE_SIGNING_KEY NOT SET")


def test_set_channel_sms_covers_both_directions(app, gateway_env, fake_smsgate):
    _add_phone(app, fake_smsgate)

    result = _invoke(app, area_set_channel_command, "sms", "north-phone")

    assert result.exit_code == 0, result.output
    with app.extensions["hotline.db"].session() as session:
        purposes = sorted(session.scalars(select(AreaChannel.purpose)))
    assert purposes == ["sms_in", "sms_out"]


def test_phone_cannot_carry_voice(app, gateway_env, fake_smsgate):
    _add_phone(app, fake_smsgate)

    result = _invoke(app, area_set_channel_command, "voice", "north-phone")

    assert result.exit_code == 1
    assert "cannot carry voice" in result.output


def test_unknown_provider_is_named(app):
    result = _invoke(app, area_set_channel_command, "sms-out", "nowhere")

    assert result.exit_code == 1
    assert "no provider named 'nowhere'" in result.output


def test_clear_channel_returns_to_twilio_settings(app, gateway_area):
    result = _invoke(app, area_clear_channel_command, "sms")

    assert result.exit_code == 0, result.output
    with app.extensions["hotline.db"].session() as session:
        assert session.scalars(select(AreaChannel)).all() == []


def test_set_coordinator_normalises_the_number(app):
    result = _invoke(app, area_set_coordinator_command, "044 999 000")

    assert result.stdout == "Area default: coordinator +383 44 999 000.\n"
    with app.extensions["hotline.db"].session() as session:
        assert get_default_area(session).coordinator_phone == "+38344999000"


def test_area_show_reports_each_part(app, phone, gateway_area):
    phone.ping()

    result = _invoke(app, area_show_command)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Area default: Hotline (country XK, language sr_Latn)"
    assert lines[1] == "  hotline numbers: +383 28 000 100"
    assert lines[2] == "  coordinator: +383 44 999 000"
    assert lines[3] == "  inbound SMS:"
    assert lines[4].startswith("    main: mitrovica-phone (smsgate) http://127.0.0.1:")
    assert lines[5] == ("      credentials: TEST_SMSGATE_USER set, TEST_SMSGATE_PASSWORD set, "
                        "TEST_SMSGATE_SIGNING_KEY set")
    assert lines[6].startswith("      responds: ok, last event ")
    assert lines[7] == "  outbound SMS:"
    assert lines[10] == "      responds: yes (pass)"
    assert lines[11].startswith("    fallback: twilio-backup (twilio) http://127.0.0.1:")
    assert lines[13] == "      responds: yes (active)"
    assert lines[14] == "  voice:"
    assert lines[15].startswith("    default (TWILIO_* settings): account AC0000")
    assert lines[16] == "      responds: yes (active)"


def test_area_show_reports_failing_phone(app, gateway_area, fake_smsgate):
    fake_smsgate.fail_next(1, status=503)

    result = _invoke(app, area_show_command)

    assert "      responds: NO: HTTP 503: fake failure 503" in result.stdout.splitlines()
