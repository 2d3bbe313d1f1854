"""Voice replies rendered as TwiML with the twilio library's VoiceResponse."""

from dataclasses import dataclass
from urllib.parse import quote

from twilio.twiml.voice_response import Gather as TwimlGather
from twilio.twiml.voice_response import VoiceResponse

from ivr_flows.voice_prompts import AudioFile, PromptVoices, Silence, SpokenText
from ivr_flows.voice_verbs import SPEECH_TYPES, Dial, Gather, Hangup, Record

# The key that ends a recording, as the prompts tell the caller.
RECORDING_FINISH_KEY = "#"


@dataclass(frozen=True)
class ReplyUrls:
    """The webhook URLs of one reply's verbs.

    step is the URL of the next turn without its event. Paths are relative, so
    Twilio resolves them against the address it called, proxy included.
    """

    step: str
    recording_callback: str | None
    audio_base: str
    area_id: int

    def for_event(self, event: str) -> str:
        separator = "&" if "?" in self.step else "?"
        return f"{self.step}{separator}event={event}"

    def audio(self, audio: AudioFile) -> str:
        return f"{self.audio_base}/twilio/voice/audio/{self.area_id}/{audio.language}/{quote(audio.filename)}"


def render_verbs(verbs: list, voices: PromptVoices | None, urls: ReplyUrls | None) -> str:
    """Return the TwiML document for a reply's verbs; voices and urls may be None for a bare Hangup."""
    response = VoiceResponse()
    speech = []
    for verb in verbs:
        if isinstance(verb, SPEECH_TYPES):
            speech.append(verb)
            continue
        if speech:
            _speak(response, voices.resolve(speech), urls)
            speech = []
        if isinstance(verb, Gather):
            _gather(response, verb, voices, urls)
        elif isinstance(verb, Record):
            _record(response, verb, urls)
        elif isinstance(verb, Dial):
            response.dial(verb.number, action=urls.for_event("dial"), method="POST", timeout=verb.timeout_seconds)
        elif isinstance(verb, Hangup):
            response.hangup()
        else:
            raise TypeError(f"cannot render {verb!r} as TwiML")
    if speech:
        _speak(response, voices.resolve(speech), urls)
    return str(response)


def _gather(response: VoiceResponse, verb: Gather, voices: PromptVoices, urls: ReplyUrls) -> None:
    options = {"action": urls.step, "method": "POST", "timeout": verb.timeout_seconds,
               "finish_on_key": verb.finish_on_key}
    if verb.num_digits is not None:
        options["num_digits"] = verb.num_digits
    gather = TwimlGather(**options)
    _speak(gather, voices.resolve(verb.parts), urls)
    response.append(gather)
    # Twilio skips the action when no key was pressed and goes on to the next verb.
    response.redirect(urls.for_event("silence"), method="POST")


def _record(response: VoiceResponse, verb: Record, urls: ReplyUrls) -> None:
    options = {"action": urls.for_event("recording"), "method": "POST", "max_length": verb.max_seconds,
               "timeout": verb.silence_seconds, "finish_on_key": RECORDING_FINISH_KEY, "play_beep": True,
               "trim": "trim-silence"}
    if urls.recording_callback:
        # The callback also comes when the caller hangs up during the recording.
        options.update(recording_status_callback=urls.recording_callback, recording_status_callback_method="POST",
                       recording_status_callback_event="completed")
    response.record(**options)
    # An empty recording makes no action request; Twilio goes on to this verb.
    response.redirect(urls.for_event("silence"), method="POST")


def _speak(target, items: list, urls: ReplyUrls) -> None:
    for item in items:
        if isinstance(item, AudioFile):
            target.play(urls.audio(item))
        elif isinstance(item, SpokenText):
            target.say(item.text, voice=item.voice, language=item.language)
        elif isinstance(item, Silence):
            target.pause(length=item.seconds)
