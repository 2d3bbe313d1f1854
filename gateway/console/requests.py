"""The request page and the coordinator's actions on one request."""

import logging

from flask import flash, g, redirect, request, url_for
from sqlalchemy import select

from db.base import utcnow
from db.lifecycle import ASSIGNABLE_STATUSES
from db.people import Volunteer
from db.requests import OPEN_STATUSES, STATUS_ACCEPTED, STATUS_ESCALATED, HelpRequest
from db.volunteer_profiles import VolunteerProfile, is_available
from gateway.console import console
from gateway.console.access import get_request_or_404
from gateway.console.auth import login_required
from gateway.console.i18n import gettext
from gateway.console.pages import render_page, request_status_label, zone
from gateway.console.timeline import build_timeline
from gateway.extensions import get_database
from ivr_flows.catalog import LANGUAGE_OF_LOCALE, normalize_locale
from ivr_flows.coordinator_actions import add_note, assign_to_volunteer, cancel_by_coordinator, mark_done, offer_again
from workers.routing import SKILL_FOR_KIND

log = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 2000


@console.get("/requests/<int:request_id>")
@login_required
def request_page(request_id: int):
    with get_database().session() as db:
        help_request = get_request_or_404(db, request_id)
        area = g.coordinator.area(help_request.area_id)
        return render_page(
            "console/request.html", item=help_request, area=area, timeline=build_timeline(db, help_request),
            candidates=assignment_candidates(db, help_request, area.time_zone),
            can_assign=help_request.status in ASSIGNABLE_STATUSES,
            can_offer_again=help_request.status == STATUS_ESCALATED,
            can_mark_done=help_request.status == STATUS_ACCEPTED,
            can_cancel=help_request.status in OPEN_STATUSES,
            note_max_length=NOTE_MAX_LENGTH,
        )


def assignment_candidates(db, help_request: HelpRequest, time_zone: str) -> list[dict]:
    """Return the area's volunteers, the best fits first: right language and skill, free now, fewest tasks."""
    language = LANGUAGE_OF_LOCALE[normalize_locale(help_request.citizen.locale, "sr_Latn")]
    skill = SKILL_FOR_KIND.get(help_request.kind)
    profiles = {profile.volunteer_id: profile for profile in db.scalars(
        select(VolunteerProfile).join(Volunteer).where(Volunteer.area_id == help_request.area_id)
    )}
    open_tasks: dict[int, int] = {}
    for volunteer_id in db.scalars(select(HelpRequest.volunteer_id).where(
            HelpRequest.area_id == help_request.area_id, HelpRequest.status == STATUS_ACCEPTED)):
        open_tasks[volunteer_id] = open_tasks.get(volunteer_id, 0) + 1

    local_now = utcnow().astimezone(zone(time_zone))
    candidates = []
    for volunteer in db.scalars(select(Volunteer).where(
            Volunteer.area_id == help_request.area_id, Volunteer.active.is_(True)).order_by(Volunteer.name)):
        candidates.append({
            "id": volunteer.id,
            "name": volunteer.name,
            "fits": language in volunteer.language_list and (skill is None or skill in volunteer.skill_list),
            "available": not volunteer.paused and is_available(profiles.get(volunteer.id), local_now),
            "paused": volunteer.paused,
            "open_tasks": open_tasks.get(volunteer.id, 0),
        })
    candidates.sort(key=lambda c: (not c["fits"], not c["available"], c["open_tasks"], c["name"]))
    return candidates


@console.post("/requests/<int:request_id>/assign")
@login_required
def assign(request_id: int):
    volunteer_id = request.form.get("volunteer_id", "")
    with get_database().session() as db:
        help_request = get_request_or_404(db, request_id, for_update=True)
        volunteer = db.get(Volunteer, int(volunteer_id)) if volunteer_id.isdigit() else None
        if volunteer is None or volunteer.area_id != help_request.area_id or not volunteer.active:
            log.warning("assignment of request %s rejected: %r is not an active volunteer of its area", request_id, volunteer_id)
            flash(gettext("Choose a volunteer of this request's area."), "error")
            return redirect(url_for("console.request_page", request_id=request_id), 303)
        if not assign_to_volunteer(db, help_request, volunteer, g.coordinator.actor):
            return _changed_meanwhile(help_request)
        flash(gettext("Request {number} is assigned to {name}; they get it by text message.",
                      number=help_request.number, name=volunteer.name), "ok")
    return redirect(url_for("console.request_page", request_id=request_id), 303)


@console.post("/requests/<int:request_id>/offer-again")
@login_required
def reoffer(request_id: int):
    with get_database().session() as db:
        help_request = get_request_or_404(db, request_id, for_update=True)
        if not offer_again(db, help_request, g.coordinator.actor):
            return _changed_meanwhile(help_request)
        flash(gettext("Request {number} is offered again to volunteers who were not asked yet.",
                      number=help_request.number), "ok")
    return redirect(url_for("console.request_page", request_id=request_id), 303)


@console.post("/requests/<int:request_id>/done")
@login_required
def done(request_id: int):
    with get_database().session() as db:
        help_request = get_request_or_404(db, request_id, for_update=True)
        if not mark_done(db, help_request, g.coordinator.actor):
            return _changed_meanwhile(help_request)
        flash(gettext("Request {number} is done.", number=help_request.number), "ok")
    return redirect(url_for("console.request_page", request_id=request_id), 303)


@console.post("/requests/<int:request_id>/cancel")
@login_required
def cancel(request_id: int):
    reason = request.form.get("reason", "").strip()[:NOTE_MAX_LENGTH]
    with get_database().session() as db:
        help_request = get_request_or_404(db, request_id, for_update=True)
        if not reason:
            flash(gettext("Write why the request is cancelled."), "error")
            return redirect(url_for("console.request_page", request_id=request_id), 303)
        if not cancel_by_coordinator(db, help_request, g.coordinator.actor, reason):
            return _changed_meanwhile(help_request)
        flash(gettext("Request {number} is cancelled.", number=help_request.number), "ok")
    return redirect(url_for("console.request_page", request_id=request_id), 303)


@console.post("/requests/<int:request_id>/notes")
@login_required
def note(request_id: int):
    text = request.form.get("note", "").strip()
    with get_database().session() as db:
        help_request = get_request_or_404(db, request_id)
        if not text:
            flash(gettext("The note is empty."), "error")
        elif len(text) > NOTE_MAX_LENGTH:
            flash(gettext("The note is too long: {count} characters at most.", count=NOTE_MAX_LENGTH), "error")
        else:
            add_note(db, help_request, g.coordinator.actor, text)
            flash(gettext("Note added."), "ok")
    return redirect(url_for("console.request_page", request_id=request_id), 303)


def _changed_meanwhile(help_request: HelpRequest):
    flash(gettext("Nothing was changed: request {number} is now {state}.", number=help_request.number,
                  state=request_status_label(help_request.status)), "error")
    return redirect(url_for("console.request_page", request_id=help_request.id), 303)
