"""The voice of each prompt: a recorded file, text-to-speech, or a generated placeholder.

For each language an area has a folder of recordings and, where Twilio has a
voice for it, a <Say> voice. The order is: a recording (<key>.wav or .mp3),
then the <Say> voice, then a placeholder made by `hotline prompts synthesize`
(<key>.placeholder.wav). Google's Serbian voice reads Cyrillic, so Serbian
text is transliterated before it is spoken.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from db.voice_settings import VoiceSettings
from ivr_flows.catalog import LANGUAGE_OF_LOCALE, normalize_locale, translate
from ivr_flows.catalog_cyrillic import to_cyrillic
from ivr_flows.voice_texts import PROMPTS
from ivr_flows.voice_verbs import Digits, Pause, Prompt, RequestNumber

log = logging.getLogger(__name__)

# The folder of recordings inside the instance folder; each language has a subfolder.
PROMPTS_FOLDER = "prompts"
RECORDING_SUFFIXES = (".wav", ".mp3")
PLACEHOLDER_SUFFIX = ".placeholder.wav"

SOURCE_RECORDED = "recorded"
SOURCE_TTS = "text-to-speech"
SOURCE_PLACEHOLDER = "placeholder"
SOURCE_MISSING = "missing"


@dataclass(frozen=True)
class AudioFile:
    """A file to <Play> from the language's audio folder."""

    language: str
    filename: str


@dataclass(frozen=True)
class SpokenText:
    """Text for <Say>; voice and language None leave the provider's default voice."""

    text: str
    voice: str | None
    language: str | None


@dataclass(frozen=True)
class Silence:
    seconds: int


class PromptVoices:
    """The resolver of one area's speech parts into recordings to <Play> and text for <Say>."""

    def __init__(self, settings: VoiceSettings, prompts_root: Path):
        self.settings = settings
        self.prompts_root = prompts_root

    def audio_dir(self, language: str) -> Path:
        configured = self.settings.languages[language].audio_dir
        if not configured:
            return self.prompts_root / language
        folder = Path(configured)
        return folder if folder.is_absolute() else self.prompts_root / folder

    def source(self, key: str, language: str) -> str:
        """Tell where prompt key would come from in language: recorded, text-to-speech, placeholder or missing."""
        if self._recording(key, language):
            return SOURCE_RECORDED
        if self.settings.languages[language].tts_voice:
            return SOURCE_TTS
        if (self.audio_dir(language) / (key + PLACEHOLDER_SUFFIX)).is_file():
            return SOURCE_PLACEHOLDER
        return SOURCE_MISSING

    def resolve(self, parts) -> list:
        """Return AudioFile, SpokenText and Silence items for speech parts; adjacent texts of one voice are joined."""
        items = []
        for part in parts:
            if isinstance(part, Prompt):
                items.append(self._prompt(part.key, part.locale))
            elif isinstance(part, Digits):
                items.extend(self._digits(part.digits, part.locale))
            elif isinstance(part, Pause):
                items.append(Silence(part.seconds))
            elif isinstance(part, RequestNumber):
                raise ValueError("RequestNumber must be replaced by the request's Digits before it is spoken")
            else:
                raise TypeError(f"not a speech part: {part!r}")
        return _join_texts(items)

    def _prompt(self, key: str, locale: str):
        language = _language(locale)
        recording = self._recording(key, language)
        if recording:
            return AudioFile(language, recording)

        voice = self.settings.languages[language]
        if voice.tts_voice:
            return SpokenText(_text_for_speech(key, locale, language), voice.tts_voice, voice.tts_language)

        placeholder = key + PLACEHOLDER_SUFFIX
        if (self.audio_dir(language) / placeholder).is_file():
            return AudioFile(language, placeholder)

        # NOTE: English is a poor stand-in for an Albanian caller, but silence would
        # leave them with nothing; `hotline prompts check` lists every such prompt.
        log.warning("prompt %s has no recording for %s and no voice can speak it; saying it in English", key, language)
        english = self.settings.languages["en"]
        return SpokenText(translate("en", PROMPTS[key]), english.tts_voice, english.tts_language)

    def _digits(self, digits: str, locale: str) -> list:
        language = _language(locale)
        voice = self.settings.languages[language]
        recorded = all(self._recording(f"digit_{digit}", language) for digit in digits)
        if voice.tts_voice and not recorded:
            # Commas make the voice read 159 as "one, five, nine", not "one hundred fifty-nine".
            return [SpokenText(", ".join(digits) + ".", voice.tts_voice, voice.tts_language)]
        return [self._prompt(f"digit_{digit}", locale) for digit in digits]

    def _recording(self, key: str, language: str) -> str | None:
        folder = self.audio_dir(language)
        for suffix in RECORDING_SUFFIXES:
            if (folder / (key + suffix)).is_file():
                return key + suffix
        return None


def prompts_root(instance_dir: Path) -> Path:
    return instance_dir / PROMPTS_FOLDER


def prompt_text(key: str, locale: str) -> str:
    """Return a prompt's text in a locale, as a placeholder recording or a reader would say it."""
    return translate(normalize_locale(locale), PROMPTS[key])


def _text_for_speech(key: str, locale: str, language: str) -> str:
    text = prompt_text(key, locale)
    if language != "sr":
        return text
    try:
        return to_cyrillic(text)
    except ValueError as error:
        log.error("prompt %s cannot be transliterated for the Serbian voice: %s", key, error)
        return text


def _language(locale: str) -> str:
    return LANGUAGE_OF_LOCALE[normalize_locale(locale)]


def _join_texts(items: list) -> list:
    joined = []
    for item in items:
        previous = joined[-1] if joined else None
        if (isinstance(item, SpokenText) and isinstance(previous, SpokenText)
                and (item.voice, item.language) == (previous.voice, previous.language)):
            # A language that falls back to English would repeat the English
            # sentence said just before it, which only confuses the caller.
            if previous.text.endswith(item.text):
                continue
            joined[-1] = SpokenText(f"{previous.text} {item.text}", item.voice, item.language)
        else:
            joined.append(item)
    return joined
