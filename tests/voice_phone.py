"""A phone for tests: signed voice webhooks in, parsed TwiML out, following the hotline's action chain."""

import uuid
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone
from pathlib import Path

from db.base import set_clock
from tests.signing import HOTLINE_NUMBER, signed_post

# Wednesday 2 December 2026; Belgrade is UTC+1 in winter.
OFFICE_TIME = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)  # 10:00 local
EVENING_TIME = datetime(2026, 12, 2, 19, 30, tzinfo=timezone.utc)  # 20:30 local

COORDINATOR_PHONE = "+38344900900"


class Twiml:
    """A TwiML document with the questions tests ask of it."""

    def __init__(self, response):
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/xml"
        self.text = response.get_data(as_text=True)
        self.root = ElementTree.fromstring(self.text)

    @property
    def verbs(self) -> list[str]:
        return [element.tag for element in self.root]

    def first(self, tag: str) -> ElementTree.Element | None:
        return next((element for element in self.root if element.tag == tag), None)

    @property
    def gather(self) -> ElementTree.Element | None:
        return self.first("Gather")

    @property
    def speech(self) -> list[tuple]:
        """Every spoken part in order: ("say", language, text), ("play", file name) or ("pause", seconds)."""
        parts = []
        for element in self.root.iter():
            if element.tag == "Say":
                parts.append(("say", element.get("language"), element.text))
            elif element.tag == "Play":
                parts.append(("play", element.text.rsplit("/", 1)[-1]))
            elif element.tag == "Pause":
                parts.append(("pause", element.get("length")))
        return parts

    @property
    def said(self) -> list[str]:
        return [part[2] for part in self.speech if part[0] == "say"]

    @property
    def played(self) -> list[str]:
        return [part[1] for part in self.speech if part[0] == "play"]


class Phone:
    """One caller's call: each method sends what Twilio would send after the previous reply."""

    def __init__(self, hotline, number: str, to: str = HOTLINE_NUMBER):
        self.hotline = hotline
        self.form = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "From": number, "To": to,
                     "CallStatus": "in-progress", "Direction": "inbound"}
        self.last: Twiml | None = None

    def post(self, path: str, fields: dict | None = None):
        return signed_post(self.hotline.client, path, dict(self.form, **(fields or {})), self.hotline.token)

    def call(self) -> Twiml:
        return self._follow("/twilio/voice", {})

    def press(self, keys: str) -> Twiml:
        gather = self.last.gather
        assert gather is not None, f"no Gather to press keys in: {self.last.verbs}"
        return self._follow(gather.get("action"), {"Digits": keys})

    def stay_silent(self) -> Twiml:
        redirect = self.last.first("Redirect")
        assert redirect is not None and redirect.text.endswith("event=silence"), self.last.verbs
        return self._follow(redirect.text, {})

    def speak(self, seconds: int = 14) -> Twiml:
        record = self.last.first("Record")
        assert record is not None, f"no Record to speak into: {self.last.verbs}"
        return self._follow(record.get("action"), self.recording(seconds) | {"Digits": "#"})

    def hang_up_while_recording(self, seconds: int = 9):
        """Send only the recording status callback, as Twilio does when the caller hangs up mid-recording."""
        record = self.last.first("Record")
        assert record is not None, self.last.verbs
        return self.post(record.get("recordingStatusCallback"), self.recording(seconds) | {"RecordingStatus": "completed"})

    def dial_ends(self, status: str) -> Twiml:
        dial = self.last.first("Dial")
        assert dial is not None, self.last.verbs
        return self._follow(dial.get("action"), {"DialCallStatus": status})

    def recording(self, seconds: int) -> dict:
        return {"RecordingUrl": f"https://api.twilio.com/recordings/RE{self.form['CallSid'][2:]}",
                "RecordingDuration": str(seconds), "RecordingSid": "RE" + self.form["CallSid"][2:]}

    def _follow(self, path: str, fields: dict) -> Twiml:
        self.last = Twiml(self.post(path, fields))
        return self.last


def record_every_prompt(folder: Path, keys) -> None:
    """Put a small file for each prompt key in folder, as a voice talent's recordings would be."""
    folder.mkdir(parents=True, exist_ok=True)
    for key in keys:
        (folder / f"{key}.wav").write_bytes(b"RIFF....WAVEfmt ")


def move_clock_to(moment: datetime) -> None:
    set_clock(lambda: moment)
