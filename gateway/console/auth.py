"""Signing coordinators in and out, and the signed-in coordinator that every console page reads."""

import functools
import logging
import math
from dataclasses import dataclass

from flask import g, redirect, request, session, url_for

from db.areas import ServiceArea
from db.coordinators import Coordinator, authenticate, normalize_username, visible_areas
from gateway.console import console
from gateway.console.i18n import SESSION_KEY as LOCALE_SESSION_KEY
from gateway.console.i18n import choose_locale, gettext, remember_locale
from gateway.console.login_limits import check_login_allowed, clear_account_failures, record_failed_login
from gateway.console.pages import render_page
from gateway.extensions import get_database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AreaSummary:
    id: int
    slug: str
    name: str
    default_locale: str
    time_zone: str


@dataclass(frozen=True)
class SignedInCoordinator:
    """The signed-in coordinator and the areas they may see, read once per request."""

    id: int
    username: str
    name: str
    is_admin: bool
    areas: tuple[AreaSummary, ...]

    @property
    def actor(self) -> str:
        return f"coordinator:{self.username}"

    @property
    def area_ids(self) -> set[int]:
        return {area.id for area in self.areas}

    def area(self, area_id: int) -> AreaSummary | None:
        return next((area for area in self.areas if area.id == area_id), None)


def load_signed_in_coordinator() -> None:
    """Set g.coordinator from the session cookie (None when signed out) and pick the language."""
    g.coordinator = None
    coordinator_id = session.get("coordinator_id")
    if coordinator_id is not None:
        with get_database().session() as db:
            coordinator = db.get(Coordinator, coordinator_id)
            if coordinator is not None and coordinator.active \
                    and coordinator.session_version == session.get("session_version"):
                g.coordinator = _summarize(coordinator, visible_areas(db, coordinator))
        if g.coordinator is None:
            # A removed account or a changed password ends every older sign-in.
            _end_session()

    areas = g.coordinator.areas if g.coordinator else ()
    choose_locale(areas[0].default_locale if areas else None)


def _summarize(coordinator: Coordinator, areas: list[ServiceArea]) -> SignedInCoordinator:
    return SignedInCoordinator(
        id=coordinator.id, username=coordinator.username, name=coordinator.name, is_admin=coordinator.is_admin,
        areas=tuple(AreaSummary(area.id, area.slug, area.name, area.default_locale, area.time_zone) for area in areas),
    )


def login_required(view):
    """Send a signed-out browser to the sign-in page, and back here afterwards."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.coordinator is None:
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("console.login", next=target))
        return view(*args, **kwargs)

    return wrapper


def safe_next(target: str | None) -> str:
    """Return a console path to go to after signing in; anything else becomes the board."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("console.board")


@console.route("/login", methods=["GET", "POST"])
def login():
    if g.coordinator is not None:
        return redirect(safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_page("console/login.html", username="", error=None)

    username = normalize_username(request.form.get("username", ""))
    password = request.form.get("password", "")
    address = request.remote_addr or "unknown"

    lock = check_login_allowed(username, address)
    if lock is not None:
        log.warning("sign-in rejected: too many failures for this account or address")
        message = gettext("Too many failed sign-ins. Try again in {minutes} minutes.",
                          minutes=math.ceil(lock.retry_after_seconds / 60))
        return render_page("console/login.html", username=username, error=message), 429

    with get_database().session() as db:
        coordinator = authenticate(db, username, password)
        signed_in = (coordinator.id, coordinator.session_version) if coordinator is not None else None
    if signed_in is None:
        record_failed_login(username, address)
        log.info("sign-in failed for a console account")
        return render_page("console/login.html", username=username,
                           error=gettext("Wrong username or password.")), 401

    clear_account_failures(username, address)
    _start_session(*signed_in)
    log.info("coordinator %s signed in", signed_in[0])
    return redirect(safe_next(request.args.get("next")))


@console.post("/logout")
def logout():
    _end_session()
    return redirect(url_for("console.login"))


@console.get("/language/<locale>")
def choose_language(locale: str):
    # A plain link changes only a display preference, so it needs no form.
    remember_locale(locale)
    return redirect(safe_next(request.args.get("next")))


def _start_session(coordinator_id: int, session_version: int) -> None:
    # A fresh session at sign-in, so a cookie planted before it is worthless.
    locale = session.get(LOCALE_SESSION_KEY)
    session.clear()
    if locale:
        session[LOCALE_SESSION_KEY] = locale
    session["coordinator_id"] = coordinator_id
    session["session_version"] = session_version
    session.permanent = True


def _end_session() -> None:
    locale = session.get(LOCALE_SESSION_KEY)
    session.clear()
    if locale:
        session[LOCALE_SESSION_KEY] = locale
