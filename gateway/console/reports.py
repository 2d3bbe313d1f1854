"""Reports for a period and area: tables, inline SVG charts and a CSV file for donors."""

import csv
import io
from datetime import date, timedelta

from flask import Response, g, request

from db.base import utcnow
from db.request_reports import RequestReport, build_report
from gateway.console import console
from gateway.console.access import area_ids_to_show
from gateway.console.auth import login_required
from gateway.console.charts import columns, horizontal_bars
from gateway.console.filters import day_range, parse_day
from gateway.console.i18n import gettext
from gateway.console.pages import document_label, kind_label, render_page, request_status_label, zone
from gateway.extensions import get_database

DEFAULT_PERIOD_DAYS = 30
# A longer period still works, but its daily charts get too crowded to read.
MAX_PERIOD_DAYS = 3 * 366


def _read_period(time_zone: str) -> tuple[date, date, str | None]:
    today = utcnow().astimezone(zone(time_zone)).date()
    error = None
    try:
        first = parse_day(request.args.get("from")) or today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        last = parse_day(request.args.get("to")) or today
    except ValueError:
        error = gettext("Invalid date: write it like 2026-12-31.")
        first, last = today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today
    if first > last:
        error = gettext("The first day is after the last day; they were swapped.")
        first, last = last, first
    if (last - first).days >= MAX_PERIOD_DAYS:
        error = gettext("The period is limited to {days} days.", days=MAX_PERIOD_DAYS)
        first = last - timedelta(days=MAX_PERIOD_DAYS - 1)
    return first, last, error


def _load_report() -> tuple[RequestReport, date, date, str, str | None]:
    area_filter = request.args.get("area", "")
    area_ids = area_ids_to_show(area_filter)
    time_zone = g.coordinator.area(area_ids[0]).time_zone if area_ids else "Europe/Belgrade"
    first, last, error = _read_period(time_zone)
    start, end = day_range(first, last, time_zone)
    with get_database().session() as db:
        report = build_report(db, area_ids, start, end, zone(time_zone))
    return report, first, last, area_filter, error


@console.get("/reports")
@login_required
def report():
    report, first, last, area_filter, error = _load_report()
    charts = {
        "kinds": horizontal_bars([(kind_label(kind), count) for kind, count in report.by_kind.most_common()],
                                 gettext("Requests by kind")),
        "documents": horizontal_bars(
            [(document_label(kind), count) for kind, count in report.by_document_type.most_common()],
            gettext("Requests by document type")),
        "days": columns([(local_date_label(day), count) for day, count in sorted(report.by_day.items())],
                        gettext("Requests per day")),
        "volunteers": horizontal_bars(report.completed_by_volunteer, gettext("Completed tasks per volunteer")),
    }
    return render_page("console/reports.html", report=report, charts=charts, first=first, last=last,
                       area_filter=area_filter, error=error,
                       area_names={area.id: area.name for area in g.coordinator.areas})


def local_date_label(day: date) -> str:
    return day.strftime("%d.%m.")


@console.get("/reports.csv")
@login_required
def report_csv():
    report, first, last, _area_filter, _error = _load_report()
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([gettext("Section"), gettext("Item"), gettext("Value")])
    writer.writerow([gettext("Period"), gettext("From"), first.isoformat()])
    writer.writerow([gettext("Period"), gettext("To"), last.isoformat()])
    writer.writerow([gettext("Requests"), gettext("All requests"), report.requests])
    for kind, count in report.by_kind.most_common():
        writer.writerow([gettext("Requests by kind"), kind_label(kind), count])
    for document_type, count in report.by_document_type.most_common():
        writer.writerow([gettext("Requests by document type"), document_label(document_type), count])
    for status, count in report.by_status.most_common():
        writer.writerow([gettext("Requests by state"), request_status_label(status), count])
    writer.writerow([gettext("Response times"), gettext("Median time to acceptance (hours)"),
                     _hours(report.median_to_accept)])
    writer.writerow([gettext("Response times"), gettext("Median time to completion (hours)"),
                     _hours(report.median_to_done)])
    share = report.escalated_share
    writer.writerow([gettext("Escalations"), gettext("Share of requests escalated to staff (percent)"),
                     f"{share * 100:.1f}" if share is not None else ""])
    for name, count in report.completed_by_volunteer:
        writer.writerow([gettext("Completed tasks per volunteer"), name, count])
    writer.writerow([gettext("Text messages"), gettext("Messages sent"), report.sms_messages])
    writer.writerow([gettext("Text messages"), gettext("Segments billed"), report.sms_segments])
    for day, count in sorted(report.by_day.items()):
        writer.writerow([gettext("Requests per day"), day.isoformat(), count])
    filename = f"hotline-report-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(output.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}", "Cache-Control": "no-store"})


def _hours(delta: timedelta | None) -> str:
    return f"{delta.total_seconds() / 3600:.1f}" if delta is not None else ""

