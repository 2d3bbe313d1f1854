"""The `hotline` command: Flask's command group plus the hotline's own commands."""

import click
from flask.cli import FlaskGroup, with_appcontext

from gateway.logging_setup import configure_logging

def _create_app():
    from gateway import create_app

    return create_app()

@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def cli():
    """Hotline: an SMS and voice hotline that routes requests to volunteers."""
    configure_logging()

@cli.group("db")
def db_group():
    """Database schema commands."""

@db_group.command("upgrade")
@click.option("--revision", default="heads", show_default=True, help="Alembic revision to upgrade to.")
@with_appcontext
def db_upgrade(revision):
    """Apply the database migrations."""
    from db.migrate import upgrade_database
    from gateway.extensions import get_settings

    upgrade_database(get_settings().database_url, revision)
    click.echo("Database is up to date.")

def _register_commands() -> None:
    from gateway.cli_people import volunteer_group
    from gateway.runner import run_command, scheduler_command, serve_command, worker_command
    from gateway.simulator import phone_group

    cli.add_command(volunteer_group)
    cli.add_command(run_command)
    cli.add_command(serve_command)
    cli.add_command(worker_command)
    cli.add_command(scheduler_command)
    cli.add_command(phone_group)

_register_commands()

def main() -> None:
    cli(prog_name="hotline")



if __name__ == "__main__":
    main()
