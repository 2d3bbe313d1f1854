"""Voice prompts: which voice speaks them, the audio the app serves, the prompts commands and the call simulator."""

import shutil
import threading
import wave
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select
from werkzeug.serving import make_server

from db.areas import ServiceArea
from db.opening_hours import InvalidHours, parse_opening_hours
from db.requests import HelpRequest
from db.voice_settings import default_voice_settings
from gateway.call_simulator import call_command
from gateway.cli_voice import prompts_group, voice_group
from ivr_flows.voice_prompts import AudioFile, PromptVoices, Silence, SpokenText
from ivr_flows.voice_texts import DIGIT_KEYS, PROMPTS
from ivr_flows.voice_verbs import Digits, Pause, Prompt
from tests.conftest import CITIZEN_EN
from tests.voice_phone import record_every_prompt

ESPEAK_MISSING = shutil.which("espeak-ng") is None


@pytest.fixture
def voices(tmp_path) -> PromptVoices:
    return PromptVoices(default_voice_settings(ServiceArea(id=1, time_zone="Europe/Belgrade")), tmp_path)


def _run(app, command, args, input_text=None):
    return CliRunner().invoke(command, args, obj=ScriptInfo(create_app=lambda: app), input=input_text)


def _prompts_dir(app) -> Path:
    return Path(app.instance_path) / "prompts"


def test_serbian_text_is_spoken_in_cyrillic(voices):
    items = voices.resolve([Prompt("goodbye", "sr_Latn")])

    assert items == [SpokenText("Хвала што сте позвали. Довиђења.", "Google.sr-RS-Standard-A", "sr-RS")]


def test_recording_wins_over_text_to_speech(voices, tmp_path):
    record_every_prompt(tmp_path / "en", ["goodbye"])

    items = voices.resolve([Prompt("welcome", "en"), Prompt("goodbye", "en")])

    assert items == [SpokenText("Welcome to the help line.", "Google.en-GB-Standard-A", "en-GB"),
                     AudioFile("en", "goodbye.wav")]


def test_speech_reads_digits_one_by_one(voices):
    items = voices.resolve([Prompt("number_is", "en"), Digits("159", "en"), Pause(1)])

    assert items == [SpokenText("Your request number is 1, 5, 9.", "Google.en-GB-Standard-A", "en-GB"), Silence(1)]


def test_recorded_language_plays_digit_clips(voices, tmp_path):
    record_every_prompt(tmp_path / "sq", ["number_is", *DIGIT_KEYS])

    items = voices.resolve([Prompt("number_is", "sq"), Digits("307", "sq")])

    assert items == [AudioFile("sq", name) for name in ("number_is.wav", "digit_3.wav", "digit_0.wav", "digit_7.wav")]


def test_placeholder_speaks_language_without_voice(voices, tmp_path):
    (tmp_path / "sq").mkdir()
    (tmp_path / "sq" / "welcome.placeholder.wav").write_bytes(b"RIFF")

    assert voices.resolve([Prompt("welcome", "sq")]) == [AudioFile("sq", "welcome.placeholder.wav")]


def test_prompt_without_any_voice_falls_back_to_english(voices):
    items = voices.resolve([Prompt("welcome", "sq")])

    assert items == [SpokenText("Welcome to the help line.", "Google.en-GB-Standard-A", "en-GB")]


def test_audio_is_served_from_language_folder(app, client):
    record_every_prompt(_prompts_dir(app) / "sq", ["welcome"])
    with app.extensions["hotline.db"].session() as session:
        area_id = session.scalar(select(ServiceArea.id))
    response = client.get(f"/twilio/voice/audio/{area_id}/sq/welcome.wav")
    assert response.status_code == 200
    assert response.data == b"RIFF....WAVEfmt "
    assert client.get(f"/twilio/voice/audio/{area_id}/sq/missing.wav").status_code == 404
    assert client.get(f"/twilio/voice/audio/{area_id}/sq/../../webhook-token.wav").status_code == 404
    assert client.get(f"/twilio/voice/audio/{area_id}/de/welcome.wav").status_code == 404
    assert client.get(f"/twilio/voice/audio/{area_id}/sq/notes.txt").status_code == 404


def test_prompts_check_lists_missing_albanian_recordings(app):
    result = _run(app, prompts_group, ["check"])

    assert result.exit_code == 1
    assert f"sq: {len(PROMPTS)} of {len(PROMPTS)} prompts lack a recording" in result.output
    assert "welcome                      missing         Mirë se vini në linjën e ndihmës." in result.output
    assert "en: " in result.output
    assert "text-to-speech" in result.output
    assert "callers hear them in English" in result.output


def test_prompts_check_passes_when_albanian_is_recorded(app):
    record_every_prompt(_prompts_dir(app) / "sq", PROMPTS)

    result = _run(app, prompts_group, ["check"])

    assert result.exit_code == 0, result.output
    assert f"sq: all {len(PROMPTS)} prompts are recorded" in result.output


@pytest.mark.skipif(ESPEAK_MISSING, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_synthesize_writes_labelled_placeholders(app):
    result = _run(app, prompts_group, ["synthesize", "--speed", "300"])

    assert result.exit_code == 0, result.output
    folder = _prompts_dir(app) / "sq"
    assert f"sq: wrote {len(PROMPTS)} placeholder recordings" in result.output
    with wave.open(str(folder / "welcome.placeholder.wav")) as audio:
        assert audio.getnframes() > audio.getframerate() // 2
    assert "generated by espeak-ng" in (folder / "PLACEHOLDERS.txt").read_text()
    assert not (_prompts_dir(app) / "sr").exists()
    check = _run(app, prompts_group, ["check"])
    assert check.exit_code == 0, check.output
    assert "placeholder" in check.output


def test_synthesize_without_espeak_says_how_to_install(app, monkeypatch):
    monkeypatch.setattr("gateway.cli_voice.shutil.which", lambda name: None)

    result = _run(app, prompts_group, ["synthesize"])

    assert result.exit_code == 1
    assert "espeak-ng is not installed: install it (apt-get install espeak-ng)" in result.output


def test_voice_settings_are_changed_and_shown(app):
    changed = _run(app, voice_group, ["set", "--office-hours", "07:30-15:00", "--calling-days", "1-6"])
    language = _run(app, voice_group, ["language", "sq", "--audio-dir", "/srv/prompts/sq"])
    shown = _run(app, voice_group, ["show"])

    assert changed.exit_code == 0, changed.output
    assert language.exit_code == 0, language.output
    assert "office hours:  07:30-15:00 on weekdays 1,2,3,4,5" in shown.output
    assert "calling hours: 09:00-19:00 on weekdays 1,2,3,4,5,6" in shown.output
    assert "sq: recordings only; recordings in /srv/prompts/sq" in shown.output


def test_invalid_hours_are_rejected(app):
    result = _run(app, voice_group, ["set", "--office-hours", "16:00-08:00"])

    assert result.exit_code == 1
    assert "the closing time must come after the opening time" in result.output


@pytest.mark.parametrize(("hours", "days", "message"), [
    ("8-16", "1-5", "write them as 08:00-16:00"),
    ("08:00-25:00", "1-5", "hours run from 00 to 23"),
    ("08:00-16:00", "0-5", "use numbers 1 (Monday) to 7 (Sunday)"),
    ("08:00-16:00", "5-1", "write a range from the lower day"),
])
def test_opening_hours_reject_unreadable_values(hours, days, message):
    with pytest.raises(InvalidHours, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_opening_hours(hours, days, "Europe/Belgrade")


def test_next_opening_skips_weekend_in_local_time():
    office = parse_opening_hours("08:00-16:00", "1-5", "Europe/Belgrade")
    friday_evening = datetime(2026, 12, 4, 17, 0, tzinfo=timezone.utc)

    assert office.is_open(datetime(2026, 12, 4, 7, 30, tzinfo=timezone.utc))
    assert not office.is_open(friday_evening)
    assert office.next_opening(friday_evening) == datetime(2026, 12, 7, 7, 0, tzinfo=timezone.utc)


def test_simulator_plays_a_call_through_the_gateway(app, hotline):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # English, silence once, food, then a recording.
        keys = "3\n\n2\nbread and milk to Ulica Kralja Petra 4\n"
        result = _run(app, call_command, ["--from", CITIZEN_EN, "--url", f"http://127.0.0.1:{server.server_port}"],
                      input_text=keys)
    finally:
        server.shutdown()

    assert result.exit_code == 0, result.output
    assert "hotline says (sr-RS): За српски језик, притисните 1." in result.output
    assert "hotline says (en-GB): We did not hear a key." in result.output
    assert "(silence)" in result.output
    assert "hotline says (en-GB): Your request number is 1." in result.output
    assert result.output.rstrip().endswith("The call has ended.")
    with hotline.database.session() as session:
        request = session.scalar(select(HelpRequest))
    assert request.kind == "delivery"
    assert request.recording_seconds == 8
    assert "/simulated-recordings/RE" in request.recording_url
