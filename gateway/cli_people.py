"""`hotline volunteer ...`: manage volunteers from the command line."""

import click
from flask.cli import with_appcontext

from db.areas import get_default_area
from db.phone_numbers import InvalidPhoneNumber, format_for_people
from db.volunteers import VolunteerError, add_volunteer, find_volunteer_by_reference, list_volunteers
from gateway.extensions import get_database
from ivr_flows.volunteer_availability import pause_volunteer, remove_volunteer


@click.group("volunteer")
def volunteer_group():
    """Add, list, pause and remove volunteers."""


@volunteer_group.command("add")
@click.option("--name", required=True, help="Name that citizens see in their confirmation.")
@click.option("--phone", required=True, help="Mobile number, e.g. +38344123456 or 044123456.")
@click.option("--languages", default="sr", show_default=True, help="Comma list of sr, sq, en; the first is used for texts.")
@click.option("--skills", default="documents,delivery", show_default=True, help="Comma list of documents, delivery.")
@with_appcontext
def add_command(name, phone, languages, skills):
    """Register a volunteer who will get task offers by SMS."""
    try:
        with get_database().session() as session:
            volunteer = add_volunteer(session, get_default_area(session), name, phone, languages, skills)
            click.echo(f"Added volunteer {volunteer.id}: {volunteer.name}, {format_for_people(volunteer.phone)}, "
                       f"languages {volunteer.languages}, skills {volunteer.skills}.")
    except (VolunteerError, InvalidPhoneNumber) as error:
        raise click.ClickException(str(error)) from None


@volunteer_group.command("list")
@with_appcontext
def list_command():
    """Show every volunteer with state and open tasks."""
    with get_database().session() as session:
        rows = list_volunteers(session, get_default_area(session))
        if not rows:
            click.echo("No volunteers yet. Add one with: hotline volunteer add --name NAME --phone PHONE")
            return
        click.echo(f"{'id':>4}  {'name':<20} {'phone':<18} {'languages':<10} {'skills':<20} {'state':<8} tasks")
        for volunteer, tasks in rows:
            state = "active"
            if volunteer.paused:
                state = "paused"
            if not volunteer.active:
                state = "removed"
            click.echo(f"{volunteer.id:>4}  {volunteer.name[:20]:<20} {format_for_people(volunteer.phone):<18} "
                       f"{volunteer.languages:<10} {volunteer.skills:<20} {state:<8} {tasks}")


@volunteer_group.command("pause")
@click.argument("reference")
@with_appcontext
def pause_command(reference):
    """Stop offers to a volunteer (by id or phone) until they text AKTIVAN, AKTIV or ON, or `volunteer resume`."""
    _set_state(reference, paused=True)


@volunteer_group.command("resume")
@click.argument("reference")
@with_appcontext
def resume_command(reference):
    """Send offers to a paused volunteer again."""
    _set_state(reference, paused=False)


@volunteer_group.command("remove")
@click.argument("reference")
@with_appcontext
def remove_command(reference):
    """Remove a volunteer (by id or phone); their history stays for reports."""
    _set_state(reference, active=False)


def _set_state(reference: str, **changes) -> None:
    try:
        with get_database().session() as session:
            area = get_default_area(session)
            volunteer = find_volunteer_by_reference(session, area, reference)
            released = []
            if changes.get("paused") is True:
                released = pause_volunteer(session, area, volunteer)
            elif changes.get("active") is False:
                released = remove_volunteer(session, area, volunteer)
            else:
                for field, value in changes.items():
                    setattr(volunteer, field, value)
            click.echo(f"Volunteer {volunteer.id} ({volunteer.name}) updated: "
                       + ", ".join(f"{field}={value}" for field, value in changes.items()))
            if released:
                click.echo("Tasks offered to others again: " + ", ".join(str(number) for number in released))
    except (VolunteerError, InvalidPhoneNumber) as error:
        raise click.ClickException(str(error)) from None
