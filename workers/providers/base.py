"""The interface every provider implements, and its typed errors."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ProviderReceipt:
    """The provider's receipt for an accepted SMS or call."""

    sid: str
    status: str


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery or call status reported by the provider's callback."""

    sid: str
    status: str
    error_code: str | None = None


class ProviderError(Exception):
    """A provider call that failed.

    permanent is True when trying again cannot help (an invalid or opted-out
    number); False for rate limits, server errors and lost connections.
    """

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None, permanent: bool):
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.permanent = permanent

    def describe(self) -> str:
        parts = [f"HTTP {self.http_status}" if self.http_status else None, f"code {self.code}" if self.code else None]
        prefix = ", ".join(part for part in parts if part)
        return f"{prefix}: {self}" if prefix else str(self)


class Provider(Protocol):
    name: str

    def send_sms(self, from_number: str, to_number: str, body: str, status_callback: str | None) -> ProviderReceipt:
        """Hand one SMS to the provider; raise ProviderError when it is not accepted."""

    def place_call(self, from_number: str, to_number: str, twiml_url: str, status_callback: str | None) -> ProviderReceipt:
        """Start one outbound call whose TwiML the provider fetches from twiml_url."""

    def parse_status_callback(self, form: dict) -> StatusUpdate | None:
        """Read a status callback body; None when it lacks the provider id."""
