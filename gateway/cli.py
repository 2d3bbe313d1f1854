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
    from gateway.call_simulator import call_command
    from gateway.cli_channels import area_group, provider_group, status_command
    from gateway.cli_coordinators import coordinator_group
    from gateway.cli_people import volunteer_group
    from gateway.cli_reports import purge_command, report_group
    from gateway.cli_voice import prompts_group, voice_group
    from gateway.runner import run_command, scheduler_command, serve_command, worker_command
    from gateway.simulator import phone_group

    for command in (
        run_command, serve_command, worker_command, scheduler_command,
        volunteer_group, coordinator_group, area_group, provider_group, status_command,
        phone_group, prompts_group, voice_group, report_group, purge_command,
    ):
        cli.add_command(command)
    phone_group.add_command(call_command)


_register_commands()


def main() -> None:
    cli(prog_name="hotline")


if __name__ == "__main__":
    main()
