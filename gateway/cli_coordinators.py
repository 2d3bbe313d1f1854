"""`hotline coordinator ...`: accounts for the web console."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from db.areas import ServiceArea, get_default_area
from db.coordinators import Coordinator, CoordinatorError, add_coordinator, find_coordinator, set_password
from gateway.extensions import get_database


@click.group("coordinator")
def coordinator_group():
    """Add and manage coordinator accounts of the web console."""


@coordinator_group.command("add")
@click.argument("username")
@click.option("--name", default="", help="Full name shown in the console (default: the username).")
@click.option("--area", "area_slugs", multiple=True,
              help="Slug of a service area this coordinator works in; repeat for several (default: the default area).")
@click.option("--admin", is_flag=True, help="Let this coordinator see and manage every service area.")
@click.password_option(prompt="Password (at least 10 characters)",
                       help="Sign-in password, at least 10 characters (asked for when not given).")
@with_appcontext
def add_command(username, name, area_slugs, admin, password):
    """Create a coordinator account who signs in to /console with USERNAME."""
    try:
        with get_database().session() as session:
            if area_slugs:
                areas = _find_areas(session, area_slugs)
            elif admin:
                areas = []
            else:
                areas = [get_default_area(session)]
            coordinator = add_coordinator(session, username, name, password, areas, is_admin=admin)
            scope = "every area" if admin else ", ".join(area.slug for area in areas)
            click.echo(f"Added coordinator {coordinator.username} ({coordinator.name}), areas: {scope}.")
    except CoordinatorError as error:
        raise click.ClickException(str(error)) from None


@coordinator_group.command("list")
@with_appcontext
def list_command():
    """Show every coordinator account with its areas."""
    with get_database().session() as session:
        coordinators = session.scalars(select(Coordinator).order_by(Coordinator.username)).all()
        if not coordinators:
            click.echo("No coordinators yet. Add one with: hotline coordinator add USERNAME --name NAME")
            return
        for coordinator in coordinators:
            scope = "every area" if coordinator.is_admin else ", ".join(area.slug for area in coordinator.areas)
            state = "" if coordinator.active else " (disabled)"
            click.echo(f"{coordinator.username:<20} {coordinator.name:<30} {scope}{state}")


@coordinator_group.command("password")
@click.argument("username")
@click.password_option(prompt="New password (at least 10 characters)",
                       help="New password, at least 10 characters (asked for when not given).")
@with_appcontext
def password_command(username, password):
    """Set a new password; every browser signed in as USERNAME is signed out."""
    try:
        with get_database().session() as session:
            set_password(_get(session, username), password)
    except CoordinatorError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Password of {username} changed.")


@coordinator_group.command("disable")
@click.argument("username")
@with_appcontext
def disable_command(username):
    """Stop USERNAME from signing in and end their open sign-ins; their timeline entries stay."""
    try:
        with get_database().session() as session:
            coordinator = _get(session, username)
            coordinator.active = False
            coordinator.session_version += 1
    except CoordinatorError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Coordinator {username} disabled.")


def _get(session, username: str) -> Coordinator:
    coordinator = find_coordinator(session, username)
    if coordinator is None:
        raise CoordinatorError(f"no coordinator {username!r}: check `hotline coordinator list`")
    return coordinator


def _find_areas(session, slugs: tuple[str, ...]) -> list[ServiceArea]:
    areas = session.scalars(select(ServiceArea).where(ServiceArea.slug.in_(slugs))).all()
    missing = sorted(set(slugs) - {area.slug for area in areas})
    if missing:
        raise CoordinatorError(f"no service area {', '.join(missing)}: use the slug of an existing area")
    return list(areas)
