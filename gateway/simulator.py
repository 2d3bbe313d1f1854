"""`hotline phone`: play a citizen or volunteer against the running gateway.

Messages go in through the real webhook, signed as the provider signs them,
and what the hotline sends back is read from the outbox rows, which exist
whether or not a provider is configured.
"""

import time
import uuid

import click
import requests
from flask.cli import with_appcontext
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from db.areas import get_default_area
from db.messages import DIRECTION_OUT, Message
from db.phone_numbers import InvalidPhoneNumber, format_for_people, normalize_phone
from gateway.extensions import get_database, get_settings

# The number the simulated citizen texts when the default area has none yet.
SIMULATOR_HOTLINE_NUMBER = "+38328000100"
# Stop waiting for replies after this long without a new message.
QUIET_SECONDS = 4.0


@click.group("phone")
def phone_group():
    """Play a citizen or a volunteer through the real webhooks."""


@phone_group.command("sms")
@click.option("--from", "from_number", required=True, help="The phone that sends, e.g. +38344111222 or 044111222.")
@click.option("--to", "to_number", default=None, help="The hotline number texted (default: the area's first).")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="Address of the running gateway.")
@click.option("--wait", default=20.0, show_default=True, help="Seconds to wait for replies at most.")
@click.argument("text")
@with_appcontext
def sms_command(from_number, to_number, url, wait, text):
    """Send TEXT as an SMS and print every message the hotline sends back to that phone."""
    try:
        sender = normalize_phone(from_number)
    except InvalidPhoneNumber as error:
        raise click.ClickException(f"{error}. Write the number as +38344111222 or 044111222.") from None

    hotline_number = to_number or _hotline_number()
    last_id = _last_message_id()
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "ACsimulator", "From": sender,
            "To": hotline_number, "Body": text, "NumMedia": "0"}
    response = _post_signed(url.rstrip("/") + "/twilio/sms", form)
    click.echo(f"> {format_for_people(sender)} → {format_for_people(hotline_number)}: {text}")
    click.echo(f"  gateway answered HTTP {response.status_code}")
    if response.status_code != 200:
        raise click.ClickException(f"the gateway rejected the message: HTTP {response.status_code} {response.text[:200]}")

    printed = _print_replies(sender, last_id, wait)
    if not printed:
        click.echo("  (no reply: the hotline sent nothing back. A phone that wrote STOP gets nothing "
                   "until START, and one that sent more than the area's limit this minute (10 by default) "
                   "gets no reply until the next; otherwise check that `hotline run` is running.)")


@phone_group.command("inbox")
@click.argument("number")
@click.option("--last", default=10, show_default=True, help="How many messages to show.")
@with_appcontext
def inbox_command(number, last):
    """Show the last messages the hotline sent to NUMBER (a volunteer's phone, for example)."""
    try:
        phone = normalize_phone(number)
    except InvalidPhoneNumber as error:
        raise click.ClickException(str(error)) from None

    with get_database().session() as session:
        messages = session.scalars(
            select(Message).where(Message.direction == DIRECTION_OUT, Message.to_number == phone)
            .order_by(Message.id.desc()).limit(last)
        ).all()
        if not messages:
            click.echo(f"No messages to {format_for_people(phone)} yet.")
        for message in reversed(messages):
            _echo_message(message)


def _post_signed(url: str, form: dict) -> requests.Response:
    signature = RequestValidator(get_settings().webhook_token).compute_signature(_signed_url(url), form)
    try:
        return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=15)
    except requests.ConnectionError:
        raise click.ClickException(f"cannot reach the gateway at {url}: start it with `hotline run`") from None


def _signed_url(url: str) -> str:
    # Behind a proxy the gateway checks signatures against PUBLIC_URL, so sign that.
    public_url = get_settings().public_url
    if not public_url:
        return url
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    return public_url.rstrip("/") + path


def _hotline_number() -> str:
    with get_database().session() as session:
        return get_default_area(session).sender_number or SIMULATOR_HOTLINE_NUMBER


def _last_message_id() -> int:
    with get_database().session() as session:
        return session.scalar(select(func.max(Message.id))) or 0


def _print_replies(phone: str, after_id: int, wait: float) -> int:
    shown = 0
    deadline = time.monotonic() + wait
    quiet_until = time.monotonic() + QUIET_SECONDS * 2
    while time.monotonic() < min(deadline, quiet_until):
        with get_database().session() as session:
            messages = session.scalars(
                select(Message).where(Message.id > after_id, Message.direction == DIRECTION_OUT,
                                      Message.to_number == phone).order_by(Message.id)
            ).all()
            for message in messages:
                _echo_message(message)
                after_id = message.id
                shown += 1
                quiet_until = time.monotonic() + QUIET_SECONDS
        time.sleep(0.3)
    return shown


def _echo_message(message: Message) -> None:
    details = [message.status]
    if message.segments:
        details.append(f"{message.segments} SMS, {message.encoding}")
    click.echo(f"< {format_for_people(message.to_number)} [{', '.join(details)}]: {message.body}")
