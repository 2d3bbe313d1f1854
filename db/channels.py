"""Providers that carry each area's inbound SMS, outbound SMS and voice.

A ChannelProvider is one connection to the phone network: a Twilio-compatible
account (Twilio, SignalWire, Somleng) or one Android phone running SMS Gateway
for Android. Credentials are never stored here, only the NAMES of the
environment variables that hold them, so a database dump leaks no secret.
An AreaChannel row picks a provider, and optionally a fallback, for one
purpose of one area; an area without rows uses the deployment's TWILIO_*
settings.
"""

import os
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from db.base import Base, utcnow

KIND_TWILIO = "twilio"  # Twilio or any engine that speaks its REST API and signs like it
KIND_SMSGATE = "smsgate"  # an Android phone running SMS Gateway for Android
PROVIDER_KINDS = (KIND_TWILIO, KIND_SMSGATE)

PURPOSE_SMS_IN = "sms_in"
PURPOSE_SMS_OUT = "sms_out"
PURPOSE_VOICE = "voice"
PURPOSES = (PURPOSE_SMS_IN, PURPOSE_SMS_OUT, PURPOSE_VOICE)

# Operators in Kosovo and Serbia start blocking a SIM that sends much more
# than this in an hour. The number is an estimate, not a published limit, so
# each phone can change it.
# NOTE: the limit is counted per phone, so both SIMs of a dual-SIM phone share
# it, which is stricter than a per-SIM limit.
DEFAULT_MAX_PER_HOUR = 300
DEFAULT_SILENCE_MINUTES = 15
DEFAULT_BACKLOG_ALERT = 30


class ChannelConfigError(ValueError):
    """A channel setting that cannot be used, such as an environment variable that is not set."""


class ChannelProvider(Base):
    """One connection to the phone network, with its credentials referenced by environment variable names."""

    __tablename__ = "channel_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Twilio-compatible: the REST base URL (TWILIO_API_BASE_URL when empty).
    # SMS gateway: the app's API, http://PHONE:8080 in local mode.
    api_base_url: Mapped[str | None] = mapped_column(String(300))
    # Names of environment variables: the account SID or user name, the auth
    # token or password, and the webhook signing key when it differs from the
    # auth token (SignalWire's Signing Key, the phone app's webhook key).
    account_env: Mapped[str | None] = mapped_column(String(80))
    secret_env: Mapped[str | None] = mapped_column(String(80))
    signing_key_env: Mapped[str | None] = mapped_column(String(80))
    # The number this provider sends from when it cannot send from the area's
    # hotline number, e.g. Twilio standing in for a local SIM.
    from_number: Mapped[str | None] = mapped_column(String(20))
    # SMS gateway only: "+383=1,+381=2" sends Kosovo numbers from SIM 1 and
    # Serbian numbers from SIM 2; the longest matching prefix wins.
    sim_by_prefix: Mapped[str] = mapped_column(String(200), default="")
    device_id: Mapped[str | None] = mapped_column(String(64))
    max_per_hour: Mapped[int] = mapped_column(default=DEFAULT_MAX_PER_HOUR)
    silence_minutes: Mapped[int] = mapped_column(default=DEFAULT_SILENCE_MINUTES)
    backlog_alert: Mapped[int] = mapped_column(default=DEFAULT_BACKLOG_ALERT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def sim_prefixes(self) -> dict[str, int]:
        """Return the prefix → SIM slot table parsed from sim_by_prefix."""
        return parse_sim_prefixes(self.sim_by_prefix)

    def read_env(self, field: str, environ: Mapping[str, str] | None = None) -> str | None:
        """Return the value of the environment variable that field names, or None when field is empty.

        Raises ChannelConfigError when the field names a variable that is not set.
        """
        name = getattr(self, field)
        if not name:
            return None
        value = (os.environ if environ is None else environ).get(name)
        if not value:
            raise ChannelConfigError(f"environment variable {name} (the {field} of provider {self.name}) is not set")
        return value

    def signing_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """Return the key that webhooks from this provider are signed with."""
        if self.signing_key_env:
            return self.read_env("signing_key_env", environ)
        if self.kind == KIND_TWILIO:
            return self.read_env("secret_env", environ)
        return None


class AreaChannel(Base):
    """The provider, and optional fallback, that carries one purpose of one area."""

    __tablename__ = "area_channels"
    __table_args__ = (UniqueConstraint("area_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    purpose: Mapped[str] = mapped_column(String(10))
    provider_id: Mapped[int] = mapped_column(ForeignKey("channel_providers.id"))
    fallback_provider_id: Mapped[int | None] = mapped_column(ForeignKey("channel_providers.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    provider: Mapped[ChannelProvider] = relationship(foreign_keys=[provider_id])
    fallback: Mapped[ChannelProvider | None] = relationship(foreign_keys=[fallback_provider_id])


def parse_sim_prefixes(text: str | None) -> dict[str, int]:
    """Parse "+383=1,+381=2" into {"+383": 1, "+381": 2}; raises ChannelConfigError on a bad entry."""
    table = {}
    for entry in (text or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        prefix, _, slot = entry.partition("=")
        prefix = prefix.strip()
        if not prefix.startswith("+") or not prefix[1:].isdigit() or not slot.strip().isdigit():
            raise ChannelConfigError(f"invalid SIM rule {entry!r}: write it as +383=1 (number prefix = SIM slot)")
        table[prefix] = int(slot)
    return table


def sim_for_number(prefixes: Mapping[str, int], phone: str) -> int | None:
    """Return the SIM slot of the longest prefix that phone starts with, or None."""
    matches = [prefix for prefix in prefixes if phone.startswith(prefix)]
    if not matches:
        return None
    return prefixes[max(matches, key=len)]


def find_provider(session: Session, name: str) -> ChannelProvider | None:
    return session.scalar(select(ChannelProvider).where(ChannelProvider.name == name))


def find_channel(session: Session, area_id: int, purpose: str) -> AreaChannel | None:
    return session.scalar(select(AreaChannel).where(AreaChannel.area_id == area_id, AreaChannel.purpose == purpose))


def set_channel(
    session: Session, area_id: int, purpose: str, provider: ChannelProvider, fallback: ChannelProvider | None
) -> AreaChannel:
    """Create or replace the channel of one purpose in one area."""
    if purpose not in PURPOSES:
        raise ChannelConfigError(f"invalid purpose {purpose!r}: use one of {', '.join(PURPOSES)}")
    if fallback is not None and fallback.id == provider.id:
        raise ChannelConfigError("the fallback must be another provider than the main one")
    if purpose == PURPOSE_VOICE and KIND_SMSGATE in (provider.kind, fallback.kind if fallback else None):
        raise ChannelConfigError("an SMS gateway phone cannot carry voice: choose a Twilio-compatible provider")

    channel = find_channel(session, area_id, purpose)
    if channel is None:
        channel = AreaChannel(area_id=area_id, purpose=purpose, provider_id=provider.id)
        session.add(channel)
    channel.provider_id = provider.id
    channel.fallback_provider_id = fallback.id if fallback else None
    channel.updated_at = utcnow()
    session.flush()
    return channel


def areas_using(session: Session, provider_id: int, purposes: tuple[str, ...] = PURPOSES) -> list[int]:
    """Return the ids of the areas whose channels use a provider, as main provider or fallback."""
    rows = session.scalars(
        select(AreaChannel.area_id)
        .where(AreaChannel.purpose.in_(purposes),
               or_(AreaChannel.provider_id == provider_id, AreaChannel.fallback_provider_id == provider_id))
        .distinct()
        .order_by(AreaChannel.area_id)
    )
    return list(rows)
