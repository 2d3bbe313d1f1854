"""The board: every open request at a glance, escalated ones first."""

from dataclasses import dataclass

from flask import g, request
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from db.requests import (
    KIND_COORDINATOR,
    KIND_DELIVERY,
    KIND_DOCUMENT,
    OPEN_STATUSES,
    STATUS_ACCEPTED,
    STATUS_CANCELLED,
    STATUS_DONE,
    STATUS_ESCALATED,
    STATUS_NEW,
    STATUS_OFFERED,
    HelpRequest,
)
from gateway.console import console
from gateway.console.access import area_ids_to_show
from gateway.console.auth import login_required
from gateway.console.filters import day_range, parse_day
from gateway.console.i18n import gettext
from gateway.console.pages import render_page
from gateway.extensions import get_database

# The board shows this many rows at most; filters narrow it down.
BOARD_ROW_LIMIT = 300
# Seconds between automatic reloads; the page is small, so a slow line copes.
REFRESH_SECONDS = 60

ALL_STATUSES = (STATUS_ESCALATED, STATUS_NEW, STATUS_OFFERED, STATUS_ACCEPTED, STATUS_DONE, STATUS_CANCELLED)
KINDS = (KIND_DOCUMENT, KIND_DELIVERY, KIND_COORDINATOR)


@dataclass(frozen=True)
class BoardFilters:
    state: str  # "open", "all" or one status
    kind: str  # "" for every kind
    area: str  # "" for every visible area
    date_from: str
    date_to: str


def read_filters() -> BoardFilters:
    state = request.args.get("state", "open")
    if state not in ("open", "all", *ALL_STATUSES):
        state = "open"
    kind = request.args.get("kind", "")
    if kind not in KINDS:
        kind = ""
    return BoardFilters(state=state, kind=kind, area=request.args.get("area", ""),
                        date_from=request.args.get("from", ""), date_to=request.args.get("to", ""))


@console.get("/")
@login_required
def board():
    filters = read_filters()
    area_ids = area_ids_to_show(filters.area)
    time_zone = g.coordinator.area(area_ids[0]).time_zone if area_ids else None

    error = None
    try:
        start, end = day_range(parse_day(filters.date_from), parse_day(filters.date_to), time_zone)
    except ValueError:
        error = gettext("Invalid date: write it like 2026-12-31.")
        start = end = None

    query = select(HelpRequest).where(HelpRequest.area_id.in_(area_ids))
    if filters.state == "open":
        query = query.where(HelpRequest.status.in_(OPEN_STATUSES))
    elif filters.state != "all":
        query = query.where(HelpRequest.status == filters.state)
    if filters.kind:
        query = query.where(HelpRequest.kind == filters.kind)
    if start is not None:
        query = query.where(HelpRequest.created_at >= start)
    if end is not None:
        query = query.where(HelpRequest.created_at < end)

    escalated_first = case((HelpRequest.status == STATUS_ESCALATED, 0), else_=1)
    newest_or_oldest = HelpRequest.created_at.asc() if filters.state == "open" else HelpRequest.created_at.desc()
    query = query.order_by(escalated_first, newest_or_oldest, HelpRequest.id)

    with get_database().session() as db:
        rows = db.scalars(
            query.options(joinedload(HelpRequest.citizen), joinedload(HelpRequest.volunteer)).limit(BOARD_ROW_LIMIT + 1)
        ).all()
        counts = dict(db.execute(
            select(HelpRequest.status, func.count())
            .where(HelpRequest.area_id.in_(area_ids), HelpRequest.status.in_(OPEN_STATUSES))
            .group_by(HelpRequest.status)
        ).all())
        return render_page(
            "console/board.html", requests=rows[:BOARD_ROW_LIMIT], truncated=len(rows) > BOARD_ROW_LIMIT,
            row_limit=BOARD_ROW_LIMIT, counts=counts, filters=filters, statuses=ALL_STATUSES, kinds=KINDS,
            error=error, refresh_seconds=REFRESH_SECONDS, area_names={area.id: area.name for area in g.coordinator.areas},
            time_zones={area.id: area.time_zone for area in g.coordinator.areas},
        )
