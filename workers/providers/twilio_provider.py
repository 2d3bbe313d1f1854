"""Twilio, or any engine that speaks its REST API, through the twilio library.

This is the only module that imports the twilio REST client.
"""

import logging
from urllib.parse import urlsplit, urlunsplit

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from workers.providers.base import ProviderError, ProviderReceipt, StatusUpdate

log = logging.getLogger(__name__)

# Twilio error codes that no retry can fix: invalid "To", unsubscribed
# recipient (after STOP), unreachable or landline destination, blocked number.
PERMANENT_ERROR_CODES = {21211, 21214, 21408, 21610, 21612, 21614, 30003, 30005, 30006, 30007}
# Twilio REST timeouts in seconds; a slow provider must not hold a worker long.
REQUEST_TIMEOUT_SECONDS = 15


class BaseUrlHttpClient(TwilioHttpClient):
    """An HTTP client that sends every request to TWILIO_API_BASE_URL instead of Twilio's hosts.

    The twilio library builds URLs for api.twilio.com and other product hosts.
    A Twilio-compatible engine (SignalWire, Somleng) or a local fake serves the
    same paths under one base URL.
    """

    def __init__(self, base_url: str, **kwargs):
        super().__init__(timeout=REQUEST_TIMEOUT_SECONDS, **kwargs)
        parts = urlsplit(base_url)
        self._scheme, self._netloc, self._prefix = parts.scheme, parts.netloc, parts.path.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        rewritten = urlunsplit((self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment))
        return super().request(method, rewritten, *args, **kwargs)


class TwilioProvider:
    """Send SMS and place calls through the twilio library."""

    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, api_base_url: str):
        # The library logs every request's parameters (phone numbers, bodies) at
        # INFO; they may appear only at DEBUG, in any process that sends.
        if not log.isEnabledFor(logging.DEBUG):
            logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        self._client = Client(account_sid, auth_token, http_client=BaseUrlHttpClient(api_base_url))

    def send_sms(self, from_number: str, to_number: str, body: str, status_callback: str | None) -> ProviderReceipt:
        arguments = {"from_": from_number, "to": to_number, "body": body}
        if status_callback:
            arguments["status_callback"] = status_callback
        try:
            message = self._client.messages.create(**arguments)
        except TwilioRestException as error:
            raise _classify(error) from error
        except (TwilioException, OSError) as error:
            raise ProviderError(f"connection to the provider failed: {error}", permanent=False) from error
        return ProviderReceipt(sid=message.sid, status=message.status or "queued")

    def place_call(self, from_number: str, to_number: str, twiml_url: str, status_callback: str | None) -> ProviderReceipt:
        arguments = {"from_": from_number, "to": to_number, "url": twiml_url, "machine_detection": "Enable"}
        if status_callback:
            arguments["status_callback"] = status_callback
            arguments["status_callback_event"] = ["completed"]
        try:
            call = self._client.calls.create(**arguments)
        except TwilioRestException as error:
            raise _classify(error) from error
        except (TwilioException, OSError) as error:
            raise ProviderError(f"connection to the provider failed: {error}", permanent=False) from error
        return ProviderReceipt(sid=call.sid, status=call.status or "queued")

    def check(self) -> str:
        """Fetch the account through the REST API; returns its status ("active", ...)."""
        try:
            account = self._client.api.v2010.accounts(self._client.account_sid).fetch()
        except TwilioRestException as error:
            raise _classify(error) from error
        except (TwilioException, OSError) as error:
            raise ProviderError(f"connection to the provider failed: {error}", permanent=False) from error
        return account.status or "unknown"

    def parse_status_callback(self, form: dict) -> StatusUpdate | None:
        sid = form.get("MessageSid") or form.get("SmsSid") or form.get("CallSid")
        status = form.get("MessageStatus") or form.get("SmsStatus") or form.get("CallStatus")
        if not sid or not status:
            return None
        return StatusUpdate(sid=sid, status=status, error_code=form.get("ErrorCode") or None)


def _classify(error: TwilioRestException) -> ProviderError:
    code = error.code
    http_status = error.status
    transient = http_status == 429 or (http_status is not None and http_status >= 500)
    permanent = not transient and (code in PERMANENT_ERROR_CODES or (http_status is not None and 400 <= http_status < 500))
    return ProviderError(error.msg or "provider rejected the request", code=str(code) if code else None,
                         http_status=http_status, permanent=permanent)
