"""Volunteers in the console: editing, availability, CSV import with its preview, and export."""

import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import select

from db.people import Volunteer
from db.requests import STATUS_ACCEPTED, STATUS_OFFERED
from db.volunteer_profiles import VolunteerProfile, is_available
from tests.conftest import CITIZEN_SR, VOLUNTEER_ARTA, VOLUNTEER_MARKO
from tests.console_world import create_area, create_coordinator, find_request, post_form, sign_in

IMPORT_PAGE = "/console/volunteers/import"


@pytest.fixture
def database(app):
    return app.extensions["hotline.db"]


@pytest.fixture
def ana(database, client):
    create_coordinator(database)
    sign_in(client)
    client.get("/console/language/en?next=/console/")
    return client


def volunteers(database) -> dict[str, Volunteer]:
    with database.session() as session:
        return {volunteer.name: volunteer for volunteer in session.scalars(select(Volunteer))}


def profile_of(database, volunteer_id: int) -> VolunteerProfile | None:
    with database.session() as session:
        return session.get(VolunteerProfile, volunteer_id)


def upload(client, text: str, confirm: bool = False):
    data = {"csrf_token": _token(client), "file": (io.BytesIO(text.encode()), "volunteers.csv")}
    if confirm:
        data = {"csrf_token": _token(client), "csv_text": text, "confirm": "1"}
    return client.post(IMPORT_PAGE, data=data, content_type="multipart/form-data")


def _token(client) -> str:
    from tests.console_world import csrf_token

    return csrf_token(client, IMPORT_PAGE)


def test_add_volunteer_with_profile(database, ana):
    response = post_form(ana, "/console/volunteers/new", {
        "name": "Jelena", "phone": "044 100 003", "languages": ["sr", "en"], "skills": ["delivery"],
        "neighbourhoods": "Sunčani breg, Bošnjačka mahala", "days": ["mon", "tue"], "from": "09:00", "until": "17:00",
    }, page="/console/volunteers/new")

    assert response.status_code == 303
    jelena = volunteers(database)["Jelena"]
    assert (jelena.phone, jelena.languages, jelena.skills, jelena.locale) == ("+38344100003", "sr,en", "delivery", "sr_Latn")
    profile = profile_of(database, jelena.id)
    assert profile.neighbourhood_list == ["Sunčani breg", "Bošnjačka mahala"]
    assert profile.day_list == ["mon", "tue"]
    assert (profile.available_from, profile.available_until) == ("09:00", "17:00")


def test_add_volunteer_with_invalid_fields_is_refused(database, ana):
    response = post_form(ana, "/console/volunteers/new", {"name": "", "phone": "12", "languages": []},
                         page="/console/volunteers/new")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The name is missing." in page
    assert "The phone number 12 is invalid." in page
    assert "No language is given" in page
    assert volunteers(database) == {}


def test_add_volunteer_with_known_phone_is_refused(hotline, database, ana):
    hotline.add_volunteer(*VOLUNTEER_MARKO)

    response = post_form(ana, "/console/volunteers/new", {"name": "Marko 2", "phone": "044100001", "languages": ["sr"]},
                         page="/console/volunteers/new")

    assert response.status_code == 400
    assert "A volunteer with this phone number already exists." in response.get_data(as_text=True)


def test_edit_volunteer(hotline, database, ana):
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)

    response = post_form(ana, f"/console/volunteers/{marko}/edit", {
        "name": "Marko Petrović", "phone": VOLUNTEER_MARKO[1], "languages": ["sq", "sr"], "skills": ["documents"],
        "neighbourhoods": "Ilirida", "days": [], "from": "22:00", "until": "06:00",
    }, page=f"/console/volunteers/{marko}/edit")

    assert response.status_code == 303
    edited = volunteers(database)["Marko Petrović"]
    assert (edited.languages, edited.skills, edited.locale) == ("sq,sr", "documents", "sq")
    assert profile_of(database, marko).available_from == "22:00"


def test_volunteer_of_other_area_is_not_found(hotline, database, ana):
    other_area = create_area(database)
    with database.session() as session:
        from db.areas import ServiceArea
        from db.volunteers import add_volunteer
        stranger = add_volunteer(session, session.get(ServiceArea, other_area), "Stranger", "+38344100009", "sr", "delivery").id

    edit_page = ana.get(f"/console/volunteers/{stranger}/edit")
    edit_form = post_form(ana, f"/console/volunteers/{stranger}/edit", {"name": "Taken over", "phone": "+38344100009",
                                                                         "languages": ["sr"]})
    pause = post_form(ana, f"/console/volunteers/{stranger}/pause")
    listing = ana.get("/console/volunteers").get_data(as_text=True)

    assert edit_page.status_code == 404
    assert edit_form.status_code == 404
    assert pause.status_code == 404
    assert "Stranger" not in listing
    assert volunteers(database)["Stranger"].paused is False


def test_pause_gives_tasks_back_and_tells_volunteer(hotline, database, ana):
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "Hrana i lekovi za baku, Ul. Kralja Petra 12")
    hotline.text(VOLUNTEER_MARKO[1], "DA 1")
    hotline.add_volunteer(*VOLUNTEER_ARTA)
    hotline.fake.reset()

    response = post_form(ana, f"/console/volunteers/{marko}/pause")
    hotline.run_jobs()

    assert response.status_code == 303
    assert volunteers(database)["Marko"].paused is True
    assert find_request(database, 1).status == STATUS_OFFERED
    marko_texts = hotline.bodies_to(VOLUNTEER_MARKO[1])
    assert len(marko_texts) == 1
    assert "1" in marko_texts[0]
    assert len(hotline.bodies_to(VOLUNTEER_ARTA[1])) == 1


def test_resume_remove_and_restore(hotline, database, ana):
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)

    post_form(ana, f"/console/volunteers/{marko}/pause")
    post_form(ana, f"/console/volunteers/{marko}/resume")
    resumed = volunteers(database)["Marko"]
    post_form(ana, f"/console/volunteers/{marko}/remove")
    removed = volunteers(database)["Marko"]
    post_form(ana, f"/console/volunteers/{marko}/restore")
    restored = volunteers(database)["Marko"]

    assert (resumed.active, resumed.paused) == (True, False)
    assert removed.active is False
    assert restored.active is True


def test_list_counts_open_and_completed_tasks(hotline, database, ana):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    for details in ("Hrana za baku, Ul. Kralja Petra 12", "Lekovi za deku, Ul. Kralja Petra 14"):
        hotline.text(CITIZEN_SR, details)
    hotline.text(VOLUNTEER_MARKO[1], "DA 1")
    hotline.text(VOLUNTEER_MARKO[1], "GOTOVO 1")
    hotline.text(VOLUNTEER_MARKO[1], "DA 2")

    export = ana.get("/console/volunteers/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))

    assert find_request(database, 2).status == STATUS_ACCEPTED
    assert export.mimetype == "text/csv"
    assert rows[0]["name"] == "Marko"
    assert (rows[0]["state"], rows[0]["open_tasks"], rows[0]["completed_tasks"]) == ("active", "1", "1")


def test_import_preview_lists_bad_rows_and_saves_nothing(database, ana):
    text = (
        "name,phone,languages,skills,neighbourhoods,days,from,until\n"
        "Jelena,044100003,sr;en,delivery,Sunčani breg,mon-fri,09:00,17:00\n"
        ",044100004,sr,,,,,\n"
        "Besa,12,sq,,,,,\n"
        "Dren,045100005,de,,,,,\n"
        "Ilir,045100006,sq,cooking,,,,\n"
        "Mira,044100007,sr,,,someday,,\n"
        "Vesna,044100008,sr,,,,9,\n"
        "Jelena again,+38344100003,sr,,,,,\n"
    )

    response = upload(ana, text)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing is saved yet. 1 rows can be imported, 7 rows have errors." in page
    assert "The name is missing." in page
    assert "The phone number 12 is invalid." in page
    assert "Unknown language de" in page
    assert "Unknown skill cooking" in page
    assert "Unknown day someday" in page
    assert "The time 9 is invalid" in page
    assert "The same phone number is on line 2." in page
    assert volunteers(database) == {}


def test_import_confirm_saves_good_rows_only(hotline, database, ana):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    text = (
        "name;phone;languages;skills;neighbourhoods;days;from;until\n"
        "Jelena;044100003;sr,en;delivery;Sunčani breg;mon-wed;09:00;17:00\n"
        "Marko Petrović;+38344100001;sr;documents;;;;\n"
        "Besa;12;sq;;;;;\n"
    )

    response = upload(ana, text, confirm=True)

    assert response.status_code == 303
    saved = volunteers(database)
    assert sorted(saved) == ["Jelena", "Marko Petrović"]
    assert saved["Marko Petrović"].skills == "documents"
    assert profile_of(database, saved["Jelena"].id).day_list == ["mon", "tue", "wed"]


def test_import_rejects_file_without_header(database, ana):
    response = upload(ana, "Jelena,044100003,sr\n")

    assert response.status_code == 400
    assert "The first line must name the columns" in response.get_data(as_text=True)


def test_import_rejects_file_that_is_not_utf8(database, ana):
    data = {"csrf_token": _token(ana), "file": (io.BytesIO("name,phone\nJovanović,044100003\n".encode("cp1250")), "v.csv")}

    response = ana.post(IMPORT_PAGE, data=data, content_type="multipart/form-data")

    assert response.status_code == 400
    assert "utf-8" in response.get_data(as_text=True)


def test_export_imports_back_unchanged(hotline, database, ana):
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    post_form(ana, f"/console/volunteers/{marko}/edit", {
        "name": "Marko", "phone": VOLUNTEER_MARKO[1], "languages": ["sr"], "skills": ["delivery"],
        "neighbourhoods": "Ilirida; Brđani", "days": ["sat", "sun"], "from": "08:00", "until": "",
    }, page=f"/console/volunteers/{marko}/edit")
    exported = ana.get("/console/volunteers/export.csv").get_data(as_text=True)

    preview = upload(ana, exported).get_data(as_text=True)

    assert "1 rows can be imported, 0 rows have errors." in preview
    assert "update" in preview


@pytest.mark.parametrize("days, start, end, moment, expected", [
    ("", None, None, datetime(2026, 12, 5, 3, 0), True),
    ("mon,tue", None, None, datetime(2026, 12, 5, 12, 0), False),  # a Saturday
    ("", "09:00", "17:00", datetime(2026, 12, 4, 8, 59), False),
    ("", "09:00", "17:00", datetime(2026, 12, 4, 9, 0), True),
    ("", "09:00", "17:00", datetime(2026, 12, 4, 17, 0), False),
    ("", "22:00", "06:00", datetime(2026, 12, 4, 23, 30), True),
    ("", "22:00", "06:00", datetime(2026, 12, 4, 5, 59), True),
    ("", "22:00", "06:00", datetime(2026, 12, 4, 12, 0), False),
    ("", "18:00", None, datetime(2026, 12, 4, 19, 0), True),
])
def test_availability_hours(days, start, end, moment, expected):
    profile = VolunteerProfile(volunteer_id=1, neighbourhoods="", available_days=days,
                               available_from=start, available_until=end)

    assert is_available(profile, moment) is expected


def test_volunteer_without_profile_is_always_available():
    assert is_available(None, datetime(2026, 12, 5, 3, 0)) is True
