"""`hotline report sms` for bookkeeping and `hotline purge` for retention."""

from datetime import timedelta

from sqlalchemy import select

from db.base import utcnow
from db.messages import Message
from db.requests import HelpRequest
from gateway.cli import cli
from tests.clock import clock  # noqa: F401  (fixture)
from tests.conftest import CITIZEN_SR, VOLUNTEER_MARKO


def _invoke(app, *args):
    return app.test_cli_runner().invoke(cli, list(args), catch_exceptions=False)


def test_report_sms_counts_segments(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    with hotline.database.session() as session:
        rows = session.scalars(select(Message).where(Message.direction == "out")).all()
        expected_segments = sum(row.segments for row in rows)
    today = utcnow().date().isoformat()

    result = _invoke(hotline.app, "report", "sms", "--from", today, "--to", today, "--csv")

    lines = result.output.strip().splitlines()
    assert lines[0] == "day,kind,messages,segments"
    assert f"{today},offer,1," in "\n".join(lines)
    assert sum(int(line.split(",")[3]) for line in lines[1:]) == expected_segments


def test_report_sms_table_has_a_chart(hotline):
    hotline.text(CITIZEN_SR, "POMOC")

    result = _invoke(hotline.app, "report", "sms")

    assert "Segments per day" in result.output
    assert "█" in result.output


def test_report_sms_rejects_reversed_dates(hotline):
    result = hotline.app.test_cli_runner().invoke(cli, ["report", "sms", "--from", "2026-02-01", "--to", "2026-01-01"])

    assert result.exit_code != 0
    assert "is after" in result.output


def test_purge_anonymises_old_closed_requests(hotline, clock):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "Hrana i lekovi za baku, Ul. Kralja Petra 12")
    hotline.text(VOLUNTEER_MARKO[1], "DA 1")
    hotline.text(VOLUNTEER_MARKO[1], "GOTOVO 1")
    hotline.text(CITIZEN_SR, "treba mi hleb, Ulica Sumadijska 4")

    first = _invoke(hotline.app, "purge")
    clock.advance(days=366)
    second = _invoke(hotline.app, "purge")

    assert "No closed request" in first.output
    assert "Anonymised 1 closed requests." in second.output
    with hotline.database.session() as session:
        done, still_open = session.scalars(select(HelpRequest).order_by(HelpRequest.number)).all()
        bodies = session.scalars(select(Message.body).where(Message.request_id == done.id)).all()
    assert done.details == "[removed]"
    assert done.anonymised_at is not None
    assert done.kind == "delivery"
    assert set(bodies) == {"[removed]"}
    assert still_open.details == "treba mi hleb, Ulica Sumadijska 4"
