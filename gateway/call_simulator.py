"""`hotline phone call`: play a phone call against the running gateway through the real voice webhooks.

The simulator plays the TwiML it gets back as the provider would. It prints
what the caller would hear and reads the keys typed in the terminal, where an
empty line is silence. It sends a made-up recording when the hotline records,
and follows every action and redirect, signed as the provider signs them.
"""

import time
import uuid
import xml.etree.ElementTree as ElementTree
from urllib.parse import urljoin, urlsplit

import click
from flask.cli import with_appcontext

from db.phone_numbers import InvalidPhoneNumber, format_for_people, normalize_phone
from gateway.simulator import _hotline_number, _post_signed
from ivr_flows.voice_calls import HIDDEN_CALLER_IDS

HANG_UP_WORDS = ("hangup", "hang up", "q")


class SimulatedCall:
    """One call's webhooks: the fields the provider sends with each, and where to send them."""

    def __init__(self, gateway_url: str, caller: str, hotline_number: str):
        self.gateway_url = gateway_url.rstrip("/") + "/"
        self.started = time.monotonic()
        self.form = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": "ACsimulator", "From": caller,
                     "To": hotline_number, "CallStatus": "in-progress", "Direction": "inbound"}

    def post(self, path: str, fields: dict | None = None) -> ElementTree.Element:
        url = urljoin(self.gateway_url, path)
        response = _post_signed(url, dict(self.form, **(fields or {})))
        if response.status_code != 200:
            raise click.ClickException(f"the gateway returned HTTP {response.status_code} for {urlsplit(url).path}: "
                                       f"{response.text[:200]}")
        return ElementTree.fromstring(response.content)

    def notify(self, path: str, fields: dict) -> None:
        """Send a callback whose response the provider ignores."""
        _post_signed(urljoin(self.gateway_url, path), dict(self.form, **fields))


@click.command("call")
@click.option("--from", "from_number", required=True,
              help="The calling phone, e.g. +38344111222 or 044111222; 'anonymous' hides the number.")
@click.option("--to", "to_number", default=None, help="The hotline number called (default: the area's first).")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="Address of the running gateway.")
@with_appcontext
def call_command(from_number, to_number, url):
    """Call the hotline: hear its prompts and answer with keys (an empty line is silence, 'hangup' ends the call)."""
    caller = from_number.strip()
    if caller.lower() not in HIDDEN_CALLER_IDS:
        try:
            caller = normalize_phone(caller)
        except InvalidPhoneNumber as error:
            raise click.ClickException(f"{error}. Write the number as +38344111222 or 044111222.") from None

    call = SimulatedCall(url, caller, to_number or _hotline_number())
    click.echo(f"Calling {format_for_people(call.form['To'])} from {caller} (Ctrl-D or 'hangup' hangs up).")
    document = call.post("/twilio/voice")
    while document is not None:
        document = _play(document, call)

    seconds = int(time.monotonic() - call.started)
    call.notify("/twilio/voice/status", {"CallStatus": "completed", "CallDuration": str(seconds)})
    click.echo("The call has ended.")


def _play(document: ElementTree.Element, call: SimulatedCall) -> ElementTree.Element | None:
    """Play one TwiML document; return the next one, or None when the call ends."""
    for verb in document:
        if verb.tag in ("Say", "Play", "Pause"):
            _hear(verb)
        elif verb.tag == "Gather":
            for part in verb:
                _hear(part)
            keys = _ask("  keys")
            if keys is None:
                return None
            if keys:
                return call.post(verb.get("action"), {"Digits": keys})
            click.echo("  (silence)")
        elif verb.tag == "Record":
            words = _ask("  (beep) say it: type your words, an empty line is silence, 'hangup' hangs up while recording")
            if words == "":
                # Twilio makes no action request for an empty recording and goes on to the next verb.
                click.echo("  (silence)")
                continue
            return _send_recording(verb, call, words)
        elif verb.tag == "Dial":
            answered = _ask(f"  ringing {verb.text.strip()}: does the person answer? [y/N]")
            if answered is None:
                return None
            status = "completed" if answered.lower().startswith("y") else "no-answer"
            return call.post(verb.get("action"), {"DialCallStatus": status})
        elif verb.tag == "Redirect":
            return call.post(verb.text.strip())
        elif verb.tag == "Hangup":
            return None
    return None


def _send_recording(verb: ElementTree.Element, call: SimulatedCall, words: str | None) -> ElementTree.Element | None:
    """Send a made-up recording as long as the typed words; words None means the caller hung up while recording."""
    recording = {"RecordingSid": "RE" + uuid.uuid4().hex, "RecordingStatus": "completed",
                 "RecordingDuration": str(max(1, len((words or "").split())))}
    recording["RecordingUrl"] = f"{call.gateway_url}simulated-recordings/{recording['RecordingSid']}"
    callback = verb.get("recordingStatusCallback")
    if words is None:
        if callback:
            call.notify(callback, recording)
        return None

    document = call.post(verb.get("action"), dict(recording, Digits="#"))
    if callback:
        call.notify(callback, recording)
    return document


def _hear(verb: ElementTree.Element) -> None:
    if verb.tag == "Say":
        click.echo(f"  hotline says ({verb.get('language') or 'default voice'}): {verb.text}")
    elif verb.tag == "Play":
        click.echo(f"  hotline plays {urlsplit(verb.text.strip()).path.rsplit('/', 1)[-1]}")
    elif verb.tag == "Pause":
        click.echo(f"  (pause {verb.get('length', '1')} s)")


def _ask(prompt: str) -> str | None:
    """Read one line from the user; None means hang up."""
    try:
        answer = click.prompt(prompt, default="", show_default=False, prompt_suffix="> ").strip()
    except click.Abort:
        return None
    return None if answer.lower() in HANG_UP_WORDS else answer
