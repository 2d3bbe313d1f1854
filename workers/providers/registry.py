"""Choosing the provider for one message or call from its area's channel settings.

An area without channel rows uses the deployment's default provider (the
TWILIO_* settings), exactly as before channels existed. With a row, the main
provider is tried first and the fallback after a transient error. A gateway
phone known to be silent goes after its fallback, because in cloud mode the
app's server accepts messages that the phone, switched off, never sends.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from db.channels import KIND_SMSGATE, KIND_TWILIO, ChannelConfigError, ChannelProvider, find_channel
from db.sms_gateways import CONDITION_SILENT, GatewayPhoneState
from workers.providers.base import Provider, ProviderError, ProviderReceipt
from workers.send_rate import SendRateLimiter

log = logging.getLogger(__name__)

DEFAULT_PROVIDER_LABEL = "default"


class _MisconfiguredProvider:
    """Stands in for a provider whose settings cannot be used, so the error reaches the outbox row."""

    def __init__(self, name: str, problem: str):
        self.name = name
        self._problem = problem

    def _fail(self, *args, **kwargs):
        # Transient: the operator can fix the setting, and the fallback gets its turn meanwhile.
        raise ProviderError(f"provider {self.name} is misconfigured: {self._problem}", permanent=False)

    send_sms = place_call = check = _fail

    def parse_status_callback(self, form: dict):
        return None


@dataclass(frozen=True)
class RouteStep:
    """One provider to try, with the channel row it came from (None for the deployment default)."""

    provider: Provider
    channel_id: int | None = None
    label: str = DEFAULT_PROVIDER_LABEL
    kind: str = KIND_TWILIO
    from_number: str | None = None
    max_per_hour: int = 0


@dataclass(frozen=True)
class SentThrough:
    """A message the provider accepted, and which step of the route accepted it."""

    receipt: ProviderReceipt
    step: RouteStep


@dataclass(frozen=True)
class HeldBack:
    """A message that waits because the first provider reached its hourly limit."""

    label: str
    max_per_hour: int
    wait_seconds: float


@dataclass
class Route:
    """The providers to try for one message, in order."""

    steps: list[RouteStep] = field(default_factory=list)

    @property
    def first(self) -> RouteStep:
        return self.steps[0]

    def send_sms(self, from_number: str, to_number: str, body: str, status_callback: str | None,
                 limiter: SendRateLimiter | None = None) -> SentThrough | HeldBack:
        """Hand the SMS to the first provider that accepts it.

        A rate-limited first provider holds the message back instead of
        passing it on: the limit protects the SIM, it does not mean the phone
        is down. Raises the last ProviderError when no provider accepted it,
        or at once when the error is permanent (another provider cannot
        make an invalid number valid).
        """
        last_error: ProviderError | None = None
        for position, step in enumerate(self.steps):
            reservation = None
            if limiter is not None and step.max_per_hour > 0 and step.channel_id is not None:
                reservation, wait = limiter.reserve(step.channel_id, step.max_per_hour)
                if reservation is None and wait > 0:
                    if position == 0:
                        return HeldBack(step.label, step.max_per_hour, wait)
                    continue

            try:
                receipt = step.provider.send_sms(step.from_number or from_number, to_number, body, status_callback)
            except ProviderError as error:
                if limiter is not None:
                    limiter.release(reservation)
                if error.permanent:
                    raise
                last_error = error
                if position + 1 < len(self.steps):
                    log.warning("provider %s failed (%s); trying %s", step.label, error.describe(),
                                self.steps[position + 1].label)
                continue
            return SentThrough(receipt, step)

        raise last_error or ProviderError("no provider could take the message", permanent=False)

    def place_call(self, from_number: str, to_number: str, twiml_url: str, status_callback: str | None) -> SentThrough:
        """Start a call through the first provider that accepts it; raises the last ProviderError."""
        last_error: ProviderError | None = None
        for position, step in enumerate(self.steps):
            try:
                receipt = step.provider.place_call(step.from_number or from_number, to_number, twiml_url,
                                                   status_callback)
            except ProviderError as error:
                if error.permanent:
                    raise
                last_error = error
                if position + 1 < len(self.steps):
                    log.warning("provider %s failed to place a call (%s); trying %s", step.label, error.describe(),
                                self.steps[position + 1].label)
                continue
            return SentThrough(receipt, step)
        raise last_error or ProviderError("no provider could place the call", permanent=False)


class ProviderRegistry:
    """Build providers from channel rows and keep them while the rows do not change."""

    def __init__(self, default: Provider | None, default_api_base_url: str,
                 environ: Mapping[str, str] | None = None):
        self.default = default
        self.default_api_base_url = default_api_base_url
        # None: read os.environ when a provider is built.
        self.environ = environ
        self._built: dict[int, tuple[datetime, Provider]] = {}

    def route(self, session: Session, area_id: int, purpose: str) -> Route | None:
        """Return the providers for one purpose of one area; None when nothing can send."""
        channel = find_channel(session, area_id, purpose)
        if channel is None:
            if self.default is None:
                return None
            return Route([RouteStep(self.default)])

        steps = [self.step_for(channel.provider)]
        if channel.fallback is not None:
            steps.append(self.step_for(channel.fallback))
            if _is_silent(session, channel.provider):
                log.info("provider %s is silent; area %s tries %s first", channel.provider.name, area_id,
                         channel.fallback.name)
                steps.reverse()
        return Route(steps)

    def step_for(self, row: ChannelProvider) -> RouteStep:
        max_per_hour = row.max_per_hour if row.kind == KIND_SMSGATE else 0
        return RouteStep(self.build(row), channel_id=row.id, label=row.name, kind=row.kind,
                         from_number=row.from_number, max_per_hour=max_per_hour)

    def build(self, row: ChannelProvider) -> Provider:
        """Return the provider object for a channel row, built once per version of the row."""
        cached = self._built.get(row.id)
        if cached is not None and cached[0] == row.updated_at:
            return cached[1]

        try:
            provider = self._construct(row)
        except ChannelConfigError as error:
            log.error("provider %s cannot be used: %s", row.name, error)
            # Not cached: each message tries again and logs the problem until it is fixed.
            return _MisconfiguredProvider(row.name, str(error))
        self._built[row.id] = (row.updated_at, provider)
        return provider

    def _construct(self, row: ChannelProvider) -> Provider:
        if row.kind == KIND_TWILIO:
            from workers.providers.twilio_provider import TwilioProvider

            account_sid = row.read_env("account_env", self.environ)
            auth_token = row.read_env("secret_env", self.environ)
            if not account_sid or not auth_token:
                raise ChannelConfigError("a Twilio-compatible provider needs account_env and secret_env")
            return TwilioProvider(account_sid, auth_token, row.api_base_url or self.default_api_base_url)

        if row.kind == KIND_SMSGATE:
            from workers.providers.smsgate_provider import SmsGateProvider

            password = row.read_env("secret_env", self.environ)
            if not row.api_base_url or not password:
                raise ChannelConfigError("an SMS gateway phone needs api_base_url and secret_env")
            return SmsGateProvider(row.api_base_url, row.read_env("account_env", self.environ), password,
                                   row.sim_prefixes, row.device_id)

        raise ChannelConfigError(f"unknown provider kind {row.kind!r}")


def _is_silent(session: Session, row: ChannelProvider) -> bool:
    if row.kind != KIND_SMSGATE:
        return False
    state = session.get(GatewayPhoneState, row.id)
    return state is not None and state.condition == CONDITION_SILENT
