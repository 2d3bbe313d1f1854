"""Reports for donors: figures for a period and area, inline SVG charts and the CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.base import utcnow
from db.messages import DIRECTION_OUT, Message
from db.requests import HelpRequest
from tests.conftest import CITIZEN_SR, VOLUNTEER_MARKO
from tests.console_world import OTHER_AREA_NUMBER, create_area, create_coordinator, sign_in


@pytest.fixture
def database(app):
    return app.extensions["hotline.db"]


@pytest.fixture
def ana(database, client):
    create_coordinator(database)
    sign_in(client)
    client.get("/console/language/en?next=/console/")
    return client


def build_known_month(hotline, database):
    """Three requests: one done after 2 h (accepted after 30 min), one escalated, one document request."""
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "Hrana i lekovi za baku, Ul. Kralja Petra 12")
    hotline.text(VOLUNTEER_MARKO[1], "DA 1")
    hotline.text(VOLUNTEER_MARKO[1], "GOTOVO 1")
    hotline.text(CITIZEN_SR, "Hleb za komšiju, Ul. Kralja Petra 14")
    hotline.text(CITIZEN_SR, "DOKUMENT")
    hotline.text(CITIZEN_SR, "1")
    hotline.text(CITIZEN_SR, "Za Milana Jovića, Ul. Kralja Petra 12")
    now = utcnow()
    with database.session() as session:
        first, second, third = session.scalars(select(HelpRequest).order_by(HelpRequest.number)).all()
        first.created_at = now - timedelta(hours=3)
        first.accepted_at = now - timedelta(hours=2, minutes=30)
        first.done_at = now - timedelta(hours=1)
        second.escalated_at = now
        third.created_at = now - timedelta(hours=1)
        third.accepted_at = now - timedelta(minutes=30)
        session.execute(Message.__table__.update().where(Message.direction == DIRECTION_OUT).values(segments=2))
    return first, second, third


def test_report_shows_figures_and_charts(hotline, database, ana):
    build_known_month(hotline, database)

    page = ana.get("/console/reports").get_data(as_text=True)

    assert "<svg" in page
    assert "Food or medicine" in page
    assert "birth certificate" in page
    assert "Marko" in page
    # Median of 30 min and 30 min to acceptance; one completion after 2 h.
    assert "30 min" in page
    assert "2 hr" in page
    assert "33 %" in page


def test_report_csv_holds_donor_figures(hotline, database, ana):
    build_known_month(hotline, database)
    with database.session() as session:
        sent = session.scalars(select(Message).where(Message.direction == DIRECTION_OUT)).all()
        billed = [message for message in sent if message.status in ("sent", "delivered", "undelivered")]

    response = ana.get("/console/reports.csv")

    rows = {(section, item): value for section, item, value in csv.reader(io.StringIO(response.get_data(as_text=True)))}
    assert response.mimetype == "text/csv"
    assert rows[("Requests", "All requests")] == "3"
    assert rows[("Requests by kind", "Food or medicine")] == "2"
    assert rows[("Requests by kind", "Document")] == "1"
    assert rows[("Requests by document type", "birth certificate")] == "1"
    assert rows[("Response times", "Median time to acceptance (hours)")] == "0.5"
    assert rows[("Response times", "Median time to completion (hours)")] == "2.0"
    assert rows[("Escalations", "Share of requests escalated to staff (percent)")] == "33.3"
    assert rows[("Completed tasks per volunteer", "Marko")] == "1"
    assert rows[("Text messages", "Messages sent")] == str(len(billed))
    assert rows[("Text messages", "Segments billed")] == str(2 * len(billed))


def test_report_period_excludes_other_days(hotline, database, ana):
    build_known_month(hotline, database)

    response = ana.get("/console/reports.csv?from=2001-01-01&to=2001-01-31")

    rows = {(section, item): value for section, item, value in csv.reader(io.StringIO(response.get_data(as_text=True)))}
    assert rows[("Requests", "All requests")] == "0"
    assert rows[("Period", "From")] == "2001-01-01"


def test_report_covers_only_own_areas(hotline, database, ana):
    other_area = create_area(database)
    hotline.text(CITIZEN_SR, "Hrana i lekovi za baku, Ul. Kralja Petra 12", to=OTHER_AREA_NUMBER)

    own = ana.get("/console/reports.csv")
    forbidden = ana.get(f"/console/reports?area={other_area}")

    rows = {(section, item): value for section, item, value in csv.reader(io.StringIO(own.get_data(as_text=True)))}
    assert rows[("Requests", "All requests")] == "0"
    assert forbidden.status_code == 404


def test_report_with_swapped_dates_is_explained(ana):
    response = ana.get("/console/reports?from=2026-02-01&to=2026-01-01")

    assert response.status_code == 200
    assert "The first day is after the last day" in response.get_data(as_text=True)
