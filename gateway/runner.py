"""`hotline run` and the processes it starts: web, worker and scheduler."""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the web app listens on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port the web app listens on.")
def run_command(host, port):
    """Start web, worker and scheduler together; Ctrl-C stops them all."""
    from db.migrate import upgrade_database
    from gateway.settings import load_settings
    from workers.redis_connection import EmbeddedRedis, announce_running

    settings = load_settings()
    embedded = None
    env = dict(os.environ, DATABASE_URL=settings.database_url)
    running_file = None
    if not settings.redis_url:
        embedded = EmbeddedRedis(settings.instance_dir / "redis")
        env["REDIS_URL"] = embedded.url
        running_file = announce_running(settings.instance_dir / "redis", embedded.url)
    upgrade_database(settings.database_url)

    hotline = [sys.executable, "-m", "gateway.cli"]
    processes = {
        "web": subprocess.Popen(hotline + ["serve", "--host", host, "--port", str(port)], env=env),
        "worker": subprocess.Popen(hotline + ["worker"], env=env),
        "scheduler": subprocess.Popen(hotline + ["scheduler"], env=env),
    }
    # SIGTERM (from a service manager or `kill`) must stop the children too,
    # as Ctrl-C does, instead of leaving them running without a parent.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        _wait_until_listening(host, port, processes["web"])
        click.echo(f"Hotline is running on http://{host}:{port} (database: {_describe(settings.database_url)}, "
                   f"Redis: {'embedded' if embedded else 'REDIS_URL'}, "
                   f"SMS: {'sent through the provider' if settings.sends_for_real else 'kept in the outbox'}).")
        click.echo(f"Try it in another terminal: {_command_path()} phone sms --from 044200001 \"HRANA\"   "
                   "(Ctrl-C stops)")
        _wait_for_any_exit(processes)
    except KeyboardInterrupt:
        click.echo("Stopping...")
    finally:
        _stop_all(processes)
        if embedded is not None:
            running_file.unlink(missing_ok=True)
            embedded.close()


def _raise_keyboard_interrupt(_signum, _frame):
    raise KeyboardInterrupt


def _wait_until_listening(host: str, port: int, web: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until the web process accepts connections, so the banner is true when printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and web.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)


def _command_path() -> str:
    # Inside the project's .venv the command is not on PATH; show the path a newcomer can paste.
    path = Path(sys.executable).parent / "hotline"
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return "hotline"


def _wait_for_any_exit(processes: dict) -> None:
    while True:
        for name, process in processes.items():
            if process.poll() is not None:
                raise click.ClickException(f"the {name} process stopped with exit code {process.returncode}; "
                                           "see its log lines above")
        time.sleep(0.5)


def _stop_all(processes: dict) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def _describe(database_url: str) -> str:
    return database_url if database_url.startswith("sqlite") else database_url.split("@")[-1]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host, port):
    """Serve the web app with Werkzeug's threaded server (production uses gunicorn)."""
    from flask import current_app
    from werkzeug.serving import run_simple

    # Flask's app.run() does nothing when started from the flask command line,
    # so the server is started directly.
    run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker_command(burst):
    """Run an RQ worker on every hotline queue, with RQ's scheduler for delayed jobs."""
    from rq import SimpleWorker

    from workers.context import get_context
    from workers.queues import ALL_QUEUES

    # Jobs run in this process, as the Procfile's worker does: a fork per job
    # would import the job modules and connect again for every single SMS.
    context = get_context()
    worker = SimpleWorker(list(ALL_QUEUES), connection=context.redis, log_job_description=False)
    worker.work(burst=burst, with_scheduler=True)


@click.command("scheduler")
def scheduler_command():
    """Run the periodic jobs (the sweeper) with RQ's cron scheduler."""
    from rq.cron import CronScheduler

    from workers.context import get_context
    from workers.gateway_watch import WATCH_INTERVAL_SECONDS, watch_gateways
    from workers.queues import DEFAULT_QUEUE
    from workers.sweeper import SWEEP_INTERVAL_SECONDS, sweep

    scheduler = CronScheduler(connection=get_context().redis)
    scheduler.register(sweep, DEFAULT_QUEUE, interval=SWEEP_INTERVAL_SECONDS)
    scheduler.register(watch_gateways, DEFAULT_QUEUE, interval=WATCH_INTERVAL_SECONDS)
    scheduler.start()
