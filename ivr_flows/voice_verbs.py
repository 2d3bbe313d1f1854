"""What a voice reply is made of, free of TwiML: speech parts and the verbs that hold them.

gateway.voice_twiml renders these as TwiML. A reply is also stored as JSON
per call turn, so a repeated webhook is answered with the same reply.
"""

import json
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Prompt:
    """A catalog prompt from voice_texts.PROMPTS, spoken in a locale."""

    key: str
    locale: str


@dataclass(frozen=True)
class Digits:
    """A number read digit by digit ("1, 5, 9")."""

    digits: str
    locale: str


@dataclass(frozen=True)
class RequestNumber:
    """The number of the request this turn creates; the caller of the tree replaces it with Digits."""

    locale: str


@dataclass(frozen=True)
class Pause:
    seconds: int = 1


@dataclass(frozen=True)
class Gather:
    """Speak the parts while listening for keys.

    num_digits None collects digits until finish_on_key or the timeout; an
    empty finish_on_key makes the hash key a digit like any other.
    """

    parts: tuple
    num_digits: int | None = 1
    finish_on_key: str = ""
    timeout_seconds: int = 8


@dataclass(frozen=True)
class Record:
    """Record the caller after a tone; silence_seconds of quiet, the hash key or max_seconds end it."""

    max_seconds: int
    silence_seconds: int = 6


@dataclass(frozen=True)
class Dial:
    number: str
    timeout_seconds: int


@dataclass(frozen=True)
class Hangup:
    pass


VERB_TYPES = {cls.__name__: cls for cls in (Prompt, Digits, RequestNumber, Pause, Gather, Record, Dial, Hangup)}
SPEECH_TYPES = (Prompt, Digits, RequestNumber, Pause)


def verbs_to_json(verbs: list) -> str:
    return json.dumps([_to_data(verb) for verb in verbs], ensure_ascii=False)


def verbs_from_json(text: str) -> list:
    return [_from_data(item) for item in json.loads(text)]


def _to_data(verb) -> dict:
    data = {"type": type(verb).__name__}
    for field in fields(verb):
        value = getattr(verb, field.name)
        data[field.name] = [_to_data(part) for part in value] if isinstance(value, tuple) else value
    return data


def _from_data(data: dict):
    values = dict(data)
    verb_type = VERB_TYPES[values.pop("type")]
    if "parts" in values:
        values["parts"] = tuple(_from_data(part) for part in values["parts"])
    return verb_type(**values)
