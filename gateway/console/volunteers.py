"""Volunteers in the console: list, add, edit, pause, remove, and CSV import and export."""

import io
import logging

from flask import Response, abort, flash, g, redirect, request, url_for
from sqlalchemy import func, select

from db.areas import ServiceArea
from db.people import LANGUAGES, SKILLS, Volunteer
from db.requests import STATUS_ACCEPTED, STATUS_DONE, HelpRequest
from db.volunteer_profiles import WEEKDAYS, VolunteerProfile, is_available, save_profile
from db.volunteers import LOCALE_FOR_LANGUAGE, VolunteerError, add_volunteer, find_by_phone
from gateway.console import console
from gateway.console.access import area_ids_to_show, get_volunteer_or_404
from gateway.console.auth import login_required
from gateway.console.i18n import gettext
from gateway.console.pages import render_page, zone
from gateway.console.volunteer_rows import VolunteerFields, check_volunteer, decode_upload, read_import, write_export
from gateway.extensions import get_database
from db.base import utcnow
from ivr_flows import texts
from ivr_flows.catalog import LANGUAGE_OF_LOCALE
from ivr_flows.outgoing import text_volunteer
from ivr_flows.volunteer_availability import pause_volunteer, remove_volunteer

log = logging.getLogger(__name__)


@console.get("/volunteers")
@login_required
def volunteer_list():
    area_ids = area_ids_to_show(request.args.get("area"))
    with get_database().session() as db:
        rows = _volunteers_with_counts(db, area_ids)
        now = utcnow()
        available = {volunteer.id: is_available(profile, now.astimezone(zone(g.coordinator.area(volunteer.area_id).time_zone)))
                     for volunteer, profile, _state, _open, _done in rows}
        return render_page("console/volunteers.html", rows=rows, available=available, area_filter=request.args.get("area", ""),
                           area_names={area.id: area.name for area in g.coordinator.areas})


def _volunteers_with_counts(db, area_ids: list[int]) -> list[tuple]:
    """Return (volunteer, profile, state, open tasks, completed tasks) for the areas' volunteers."""
    counts: dict[tuple[int, str], int] = {}
    for volunteer_id, status, count in db.execute(
        select(HelpRequest.volunteer_id, HelpRequest.status, func.count())
        .where(HelpRequest.area_id.in_(area_ids), HelpRequest.volunteer_id.is_not(None),
               HelpRequest.status.in_((STATUS_ACCEPTED, STATUS_DONE)))
        .group_by(HelpRequest.volunteer_id, HelpRequest.status)
    ):
        counts[(volunteer_id, status)] = count

    rows = db.execute(
        select(Volunteer, VolunteerProfile)
        .outerjoin(VolunteerProfile, VolunteerProfile.volunteer_id == Volunteer.id)
        .where(Volunteer.area_id.in_(area_ids))
        .order_by(Volunteer.active.desc(), Volunteer.name, Volunteer.id)
    ).all()
    return [
        (volunteer, profile, volunteer_state(volunteer), counts.get((volunteer.id, STATUS_ACCEPTED), 0),
         counts.get((volunteer.id, STATUS_DONE), 0))
        for volunteer, profile in rows
    ]


def volunteer_state(volunteer: Volunteer) -> str:
    if not volunteer.active:
        return "removed"
    return "paused" if volunteer.paused else "active"


@console.route("/volunteers/new", methods=["GET", "POST"])
@login_required
def volunteer_new():
    area_id = _single_area(request.values.get("area"))
    if request.method == "GET":
        return render_page("console/volunteer_form.html", **_form_context(None, {}, [], area_id))

    with get_database().session() as db:
        area = db.get(ServiceArea, area_id)
        fields, errors = check_volunteer(_form_values(), area.country)
        if fields is not None:
            try:
                volunteer = add_volunteer(db, area, fields.name, fields.phone, ",".join(fields.languages),
                                          ",".join(fields.skills))
            except VolunteerError:
                errors = [gettext("A volunteer with this phone number already exists.")]
            else:
                _save_profile(db, volunteer.id, fields)
                flash(gettext("Volunteer {name} is added.", name=volunteer.name), "ok")
                return redirect(url_for("console.volunteer_list"), 303)
    return render_page("console/volunteer_form.html", **_form_context(None, _form_values(), errors, area_id)), 400


@console.route("/volunteers/<int:volunteer_id>/edit", methods=["GET", "POST"])
@login_required
def volunteer_edit(volunteer_id: int):
    with get_database().session() as db:
        volunteer = get_volunteer_or_404(db, volunteer_id)
        if request.method == "GET":
            return render_page("console/volunteer_form.html",
                               **_form_context(volunteer, _stored_values(db, volunteer), [], volunteer.area_id))

        area = db.get(ServiceArea, volunteer.area_id)
        fields, errors = check_volunteer(_form_values(), area.country)
        if fields is not None:
            other = find_by_phone(db, area, fields.phone)
            if other is not None and other.id != volunteer.id:
                errors = [gettext("A volunteer with this phone number already exists.")]
            else:
                _update_volunteer(db, volunteer, fields)
                flash(gettext("Volunteer {name} is saved.", name=volunteer.name), "ok")
                return redirect(url_for("console.volunteer_list"), 303)
        return render_page("console/volunteer_form.html",
                           **_form_context(volunteer, _form_values(), errors, volunteer.area_id)), 400


def _update_volunteer(db, volunteer: Volunteer, fields: VolunteerFields) -> None:
    volunteer.name = fields.name
    volunteer.phone = fields.phone
    volunteer.languages = ",".join(fields.languages)
    volunteer.skills = ",".join(fields.skills)
    # Keep a chosen script (sr_Cyrl) while Serbian stays the first language.
    if LANGUAGE_OF_LOCALE.get(volunteer.locale) != fields.languages[0]:
        volunteer.locale = LOCALE_FOR_LANGUAGE[fields.languages[0]]
    _save_profile(db, volunteer.id, fields)
    log.info("volunteer %s edited by %s", volunteer.id, g.coordinator.actor)


def _save_profile(db, volunteer_id: int, fields: VolunteerFields) -> None:
    save_profile(db, volunteer_id, fields.neighbourhoods, fields.days, fields.available_from, fields.available_until)


def _form_values() -> dict:
    """Read the form into the CSV column names that check_volunteer takes."""
    form = request.form
    return {
        "name": form.get("name", ""), "phone": form.get("phone", ""),
        "languages": ",".join(form.getlist("languages")), "skills": ",".join(form.getlist("skills")),
        "neighbourhoods": form.get("neighbourhoods", ""), "days": ",".join(form.getlist("days")),
        "from": form.get("from", ""), "until": form.get("until", ""),
    }


def _stored_values(db, volunteer: Volunteer) -> dict:
    profile = db.get(VolunteerProfile, volunteer.id)
    return {
        "name": volunteer.name, "phone": volunteer.phone, "languages": volunteer.languages,
        "skills": volunteer.skills, "neighbourhoods": profile.neighbourhoods if profile else "",
        "days": profile.available_days if profile else "",
        "from": (profile.available_from or "") if profile else "", "until": (profile.available_until or "") if profile else "",
    }


def _form_context(volunteer: Volunteer | None, values: dict, errors: list[str], area_id: int) -> dict:
    return {
        "volunteer": volunteer, "values": values, "errors": errors, "area_id": area_id,
        "chosen_languages": values.get("languages", "sr").split(",") if values else ["sr"],
        "chosen_skills": values.get("skills", ",".join(SKILLS)).split(",") if values else list(SKILLS),
        "chosen_days": [day for day in values.get("days", "").split(",") if day],
        "languages": LANGUAGES, "skills": SKILLS, "weekdays": WEEKDAYS,
        "area_names": {area.id: area.name for area in g.coordinator.areas},
    }


def _single_area(requested: str | None) -> int:
    """Return the one area a new volunteer or an import goes to: the chosen one, or the only visible one."""
    if requested:
        return area_ids_to_show(requested)[0]
    if not g.coordinator.areas:
        abort(404)
    return g.coordinator.areas[0].id


@console.post("/volunteers/<int:volunteer_id>/pause")
@login_required
def volunteer_pause(volunteer_id: int):
    return _change_availability(volunteer_id, "pause")


@console.post("/volunteers/<int:volunteer_id>/resume")
@login_required
def volunteer_resume(volunteer_id: int):
    return _change_availability(volunteer_id, "resume")


@console.post("/volunteers/<int:volunteer_id>/remove")
@login_required
def volunteer_remove(volunteer_id: int):
    return _change_availability(volunteer_id, "remove")


@console.post("/volunteers/<int:volunteer_id>/restore")
@login_required
def volunteer_restore(volunteer_id: int):
    return _change_availability(volunteer_id, "restore")


def _change_availability(volunteer_id: int, change: str):
    with get_database().session() as db:
        volunteer = get_volunteer_or_404(db, volunteer_id)
        area = db.get(ServiceArea, volunteer.area_id)
        released: list[int] = []
        if change == "pause":
            released = pause_volunteer(db, area, volunteer)
            flash(gettext("{name} is on a break and gets no offers.", name=volunteer.name), "ok")
        elif change == "resume":
            volunteer.paused = False
            flash(gettext("{name} gets offers again.", name=volunteer.name), "ok")
        elif change == "remove":
            released = remove_volunteer(db, area, volunteer)
            flash(gettext("{name} is removed; their history stays in the reports.", name=volunteer.name), "ok")
        else:
            volunteer.active = True
            flash(gettext("{name} is back on the list.", name=volunteer.name), "ok")

        # The volunteer did not ask for this, so they learn by SMS which tasks are no longer theirs.
        for number in released:
            text_volunteer(db, area, volunteer, texts.TASK_RELEASED_BY_STAFF, kind="task_released", number=number)
        if released:
            flash(gettext("Their open requests go to other volunteers: {numbers}.",
                          numbers=", ".join(str(number) for number in released)), "ok")
        log.info("volunteer %s: %s by %s (released %s)", volunteer.id, change, g.coordinator.actor, released)
    return redirect(url_for("console.volunteer_list"), 303)


@console.get("/volunteers/export.csv")
@login_required
def volunteer_export():
    area_ids = area_ids_to_show(request.args.get("area"))
    output = io.StringIO()
    with get_database().session() as db:
        write_export(_volunteers_with_counts(db, area_ids), output)
    return Response(output.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=volunteers.csv", "Cache-Control": "no-store"})


@console.route("/volunteers/import", methods=["GET", "POST"])
@login_required
def volunteer_import():
    area_id = _single_area(request.values.get("area"))
    if request.method == "GET":
        return render_page("console/volunteer_import.html", rows=None, csv_text="", area_id=area_id,
                           area_names={area.id: area.name for area in g.coordinator.areas}, error=None)

    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            csv_text = decode_upload(upload.read(1024 * 1024 + 1))
        else:
            csv_text = request.form.get("csv_text", "")
            decode_upload(csv_text.encode())
        with get_database().session() as db:
            area = db.get(ServiceArea, area_id)
            rows = read_import(csv_text, area.country)
            for row in rows:
                if row.fields is not None:
                    row.action = "update" if find_by_phone(db, area, row.fields.phone) else "add"
            if request.form.get("confirm") == "1":
                return _save_import(db, area, rows)
    except ValueError as error:
        return render_page("console/volunteer_import.html", rows=None, csv_text="", area_id=area_id,
                           area_names={area.id: area.name for area in g.coordinator.areas}, error=str(error)), 400

    return render_page("console/volunteer_import.html", rows=rows, csv_text=csv_text, area_id=area_id,
                       area_names={area.id: area.name for area in g.coordinator.areas}, error=None)


def _save_import(db, area: ServiceArea, rows) -> Response:
    added = updated = 0
    for row in rows:
        if row.fields is None:
            continue
        existing = find_by_phone(db, area, row.fields.phone)
        if existing is None:
            volunteer = add_volunteer(db, area, row.fields.name, row.fields.phone, ",".join(row.fields.languages),
                                      ",".join(row.fields.skills))
            _save_profile(db, volunteer.id, row.fields)
            added += 1
        else:
            _update_volunteer(db, existing, row.fields)
            updated += 1
    skipped = sum(1 for row in rows if row.fields is None)
    log.info("volunteer import into area %s by %s: %s added, %s updated, %s skipped",
             area.id, g.coordinator.actor, added, updated, skipped)
    flash(gettext("Import finished: {added} added, {updated} updated, {skipped} rows skipped.",
                  added=added, updated=updated, skipped=skipped), "ok")
    return redirect(url_for("console.volunteer_list"), 303)
