"""`hotline report sms` and `hotline purge`: bookkeeping and retention from the command line."""

import csv
import sys
from datetime import date, timedelta

import click
from flask.cli import with_appcontext

from db.retention import purge_closed_requests
from db.sms_usage import sms_usage
from gateway.extensions import get_database

CHART_WIDTH = 40


@click.group("report")
def report_group():
    """Reports for the centre's bookkeeping."""


@report_group.command("sms")
@click.option("--from", "first_day", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD); default 30 days ago.")
@click.option("--to", "last_day", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD); default today.")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to standard output instead of a table.")
@with_appcontext
def sms_report_command(first_day, last_day, as_csv):
    """Show SMS sent and segments billed per day and kind."""
    last = last_day.date() if last_day else date.today()
    first = first_day.date() if first_day else last - timedelta(days=30)
    if first > last:
        raise click.BadParameter(f"--from {first} is after --to {last}")

    with get_database().session() as session:
        rows = sms_usage(session, first, last)

    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["day", "kind", "messages", "segments"])
        for row in rows:
            writer.writerow([row.day.isoformat(), row.kind, row.messages, row.segments])
        return

    click.echo(f"SMS sent from {first} to {last}")
    if not rows:
        click.echo("No messages were sent in this period.")
        return
    click.echo(f"{'day':<12}{'kind':<20}{'messages':>9}{'segments':>9}")
    for row in rows:
        click.echo(f"{row.day.isoformat():<12}{row.kind:<20}{row.messages:>9}{row.segments:>9}")
    _echo_daily_chart(rows)


def _echo_daily_chart(rows) -> None:
    per_day: dict[date, int] = {}
    for row in rows:
        per_day[row.day] = per_day.get(row.day, 0) + row.segments
    peak = max(per_day.values())
    click.echo("\nSegments per day")
    for day, segments in sorted(per_day.items()):
        bar = "█" * max(1, round(segments / peak * CHART_WIDTH))
        click.echo(f"{day.isoformat():<12}{bar} {segments}")
    click.echo(f"{'total':<12}{sum(per_day.values())} segments")


@click.command("purge")
@with_appcontext
def purge_command():
    """Anonymise closed requests older than each area's retention period."""
    with get_database().session() as session:
        counts = purge_closed_requests(session)
    total = sum(counts.values())
    click.echo(f"Anonymised {total} closed requests." if total else "No closed request is past its retention period.")
