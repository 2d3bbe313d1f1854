"""Per-area voice settings: office and calling hours, and how each language is spoken.

An area without rows here uses the defaults below. Twilio's <Say> has a
Serbian voice (Google sr-RS) and English voices but no Albanian one, so
Albanian is spoken from recorded audio files only.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from db.areas import ServiceArea
from db.base import Base, utcnow
from db.opening_hours import InvalidHours, OpeningHours, parse_opening_hours

log = logging.getLogger(__name__)

DEFAULT_OFFICE_HOURS = "08:00-16:00"
DEFAULT_OFFICE_DAYS = "1-5"
# Calling hours keep confirmation calls away from early mornings and late evenings.
DEFAULT_CALLING_HOURS = "09:00-19:00"
DEFAULT_CALLING_DAYS = "1-7"
# Rings before an unanswered <Dial> to the coordinator gives up, in seconds.
DEFAULT_DIAL_TIMEOUT_SECONDS = 25
DEFAULT_MAX_RECORDING_SECONDS = 120

VOICE_LANGUAGES = ("sr", "sq", "en")
# Text-to-speech voices Twilio offers for <Say>; None means recordings only.
DEFAULT_TTS = {
    "sr": ("Google.sr-RS-Standard-A", "sr-RS"),
    "sq": (None, None),
    "en": ("Google.en-GB-Standard-A", "en-GB"),
}


class AreaVoiceSettings(Base):
    """Hours and limits of one area's voice line."""

    __tablename__ = "area_voice_settings"

    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"), primary_key=True)
    office_hours: Mapped[str] = mapped_column(String(11), default=DEFAULT_OFFICE_HOURS)
    office_days: Mapped[str] = mapped_column(String(20), default=DEFAULT_OFFICE_DAYS)
    calling_hours: Mapped[str] = mapped_column(String(11), default=DEFAULT_CALLING_HOURS)
    calling_days: Mapped[str] = mapped_column(String(20), default=DEFAULT_CALLING_DAYS)
    dial_timeout_seconds: Mapped[int] = mapped_column(default=DEFAULT_DIAL_TIMEOUT_SECONDS)
    max_recording_seconds: Mapped[int] = mapped_column(default=DEFAULT_MAX_RECORDING_SECONDS)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AreaVoiceLanguage(Base):
    """The voice of one language in one area: a <Say> voice, a folder of recordings, or both."""

    __tablename__ = "area_voice_languages"
    __table_args__ = (UniqueConstraint("area_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    language: Mapped[str] = mapped_column(String(2))
    # An empty voice means recordings only, for a language <Say> cannot speak.
    tts_voice: Mapped[str | None] = mapped_column(String(60))
    tts_language: Mapped[str | None] = mapped_column(String(10))
    # Absolute, or relative to the prompts folder; unset means <prompts folder>/<language>.
    audio_dir: Mapped[str | None] = mapped_column(String(300))


@dataclass(frozen=True)
class LanguageVoice:
    language: str
    tts_voice: str | None
    tts_language: str | None
    audio_dir: str | None


@dataclass(frozen=True)
class VoiceSettings:
    """An area's voice settings with defaults filled in, detached from the session."""

    area_id: int
    office: OpeningHours
    calling: OpeningHours
    dial_timeout_seconds: int
    max_recording_seconds: int
    languages: dict[str, LanguageVoice]


def load_voice_settings(session: Session, area: ServiceArea) -> VoiceSettings:
    """Return the area's voice settings; unreadable hours fall back to the defaults with an error logged."""
    row = session.get(AreaVoiceSettings, area.id) or AreaVoiceSettings(area_id=area.id)
    language_rows = {
        language_row.language: language_row
        for language_row in session.scalars(select(AreaVoiceLanguage).where(AreaVoiceLanguage.area_id == area.id))
    }
    return VoiceSettings(
        area_id=area.id,
        office=_hours(area, row.office_hours, row.office_days, DEFAULT_OFFICE_HOURS, DEFAULT_OFFICE_DAYS),
        calling=_hours(area, row.calling_hours, row.calling_days, DEFAULT_CALLING_HOURS, DEFAULT_CALLING_DAYS),
        dial_timeout_seconds=row.dial_timeout_seconds or DEFAULT_DIAL_TIMEOUT_SECONDS,
        max_recording_seconds=row.max_recording_seconds or DEFAULT_MAX_RECORDING_SECONDS,
        languages={language: _language_voice(language, language_rows.get(language)) for language in VOICE_LANGUAGES},
    )


def default_voice_settings(area: ServiceArea) -> VoiceSettings:
    """Return the defaults without reading the database, for the apology a caller hears when a webhook fails."""
    return VoiceSettings(
        area_id=area.id,
        office=_hours(area, None, None, DEFAULT_OFFICE_HOURS, DEFAULT_OFFICE_DAYS),
        calling=_hours(area, None, None, DEFAULT_CALLING_HOURS, DEFAULT_CALLING_DAYS),
        dial_timeout_seconds=DEFAULT_DIAL_TIMEOUT_SECONDS,
        max_recording_seconds=DEFAULT_MAX_RECORDING_SECONDS,
        languages={language: _language_voice(language, None) for language in VOICE_LANGUAGES},
    )


def get_or_create_voice_settings(session: Session, area: ServiceArea) -> AreaVoiceSettings:
    row = session.get(AreaVoiceSettings, area.id)
    if row is None:
        row = AreaVoiceSettings(area_id=area.id)
        session.add(row)
        session.flush()
    return row


def get_or_create_voice_language(session: Session, area: ServiceArea, language: str) -> AreaVoiceLanguage:
    row = session.scalar(select(AreaVoiceLanguage).where(
        AreaVoiceLanguage.area_id == area.id, AreaVoiceLanguage.language == language))
    if row is None:
        tts_voice, tts_language = DEFAULT_TTS[language]
        row = AreaVoiceLanguage(area_id=area.id, language=language, tts_voice=tts_voice, tts_language=tts_language)
        session.add(row)
        session.flush()
    return row


def _language_voice(language: str, row: AreaVoiceLanguage | None) -> LanguageVoice:
    if row is None:
        tts_voice, tts_language = DEFAULT_TTS[language]
        return LanguageVoice(language, tts_voice, tts_language, None)
    return LanguageVoice(language, row.tts_voice or None, row.tts_language or None, row.audio_dir or None)


def _hours(area: ServiceArea, hours: str | None, days: str | None, default_hours: str, default_days: str) -> OpeningHours:
    try:
        return parse_opening_hours(hours or default_hours, days or default_days, area.time_zone)
    except InvalidHours as error:
        # The call must go on, so an unreadable stored value falls back to the default.
        log.error("area %s voice settings: %s; using %s on days %s", area.id, error, default_hours, default_days)
        return parse_opening_hours(default_hours, default_days, "Europe/Belgrade")
