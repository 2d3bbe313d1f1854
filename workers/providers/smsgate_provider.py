"""An Android phone running SMS Gateway for Android, reached through its REST API.

This is the only module that imports the android_sms_gateway client. The same
API serves the phone's local server (http://PHONE:8080) and the app's cloud
or private server (.../3rdparty/v1); the base URL decides which.
"""

import logging
from collections.abc import Mapping

import requests
from android_sms_gateway import APIClient, Message, TextMessage
from android_sms_gateway.errors import APIError
from android_sms_gateway.http import RequestsHttpClient

from db.channels import sim_for_number
from workers.providers.base import ProviderError, ProviderReceipt, StatusUpdate

log = logging.getLogger(__name__)

# The client library sets no timeout of its own; a phone on a weak Wi-Fi link
# must not hold a worker longer than Twilio would.
REQUEST_TIMEOUT_SECONDS = 15
# Provider ids of gateway messages carry this prefix, so they never collide
# with Twilio's MessageSid in the unique messages.provider_sid column.
SID_PREFIX = "smsgate:"


class _TimeoutSession(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", REQUEST_TIMEOUT_SECONDS)
        return super().request(method, url, **kwargs)


class SmsGateProvider:
    """Send SMS through one gateway phone, choosing the SIM by the recipient's prefix."""

    name = "smsgate"

    def __init__(self, base_url: str, username: str | None, password: str,
                 sim_by_prefix: Mapping[str, int] | None = None, device_id: str | None = None):
        self.base_url = base_url.rstrip("/")
        self._username = username
        self._password = password
        self.sim_by_prefix = dict(sim_by_prefix or {})
        self.device_id = device_id

    def sim_for(self, to_number: str) -> int | None:
        """Return the SIM slot (1-based) for a recipient, or None to let the phone choose."""
        return sim_for_number(self.sim_by_prefix, to_number)

    def send_sms(self, from_number: str, to_number: str, body: str, status_callback: str | None) -> ProviderReceipt:
        # from_number and status_callback do not apply: the SIM is the sender,
        # and states come back through the signed /smsgate/webhook.
        message = Message(phone_numbers=[to_number], text_message=TextMessage(text=body),
                          sim_number=self.sim_for(to_number), with_delivery_report=True, device_id=self.device_id)
        state = self._call(lambda client: client.send(message))
        return ProviderReceipt(sid=SID_PREFIX + state.id, status=state.state.value)

    def place_call(self, from_number: str, to_number: str, twiml_url: str, status_callback: str | None) -> ProviderReceipt:
        raise ProviderError("an SMS gateway phone cannot place calls; give the area a voice channel", permanent=True)

    def parse_status_callback(self, form: dict) -> StatusUpdate | None:
        # Gateway states arrive as signed JSON events at /smsgate/webhook,
        # never as a Twilio-style form.
        return None

    def check(self) -> str:
        """Ask the phone for its health; returns its status ("pass", "warn", "fail")."""
        return self._call(lambda client: client.health_check().status.value)

    def _call(self, action):
        session = _TimeoutSession()
        client = APIClient(self._username, self._password, base_url=self.base_url, http=RequestsHttpClient(session))
        try:
            return action(client)
        except APIError as error:
            raise _classify(error) from error
        except (requests.RequestException, OSError) as error:
            raise ProviderError(f"connection to the SMS gateway phone failed: {error}", permanent=False) from error
        except (KeyError, ValueError) as error:
            # A proxy's error page or another app on the port: not the gateway's JSON.
            raise ProviderError(f"the SMS gateway phone returned an unreadable response: {error!r}",
                                permanent=False) from error
        finally:
            session.close()


def _classify(error: APIError) -> ProviderError:
    # HTTP 400 means the phone will never send this message (an invalid number).
    # Every other rejection (wrong credentials, wrong URL, a busy or broken
    # server) is about the phone or its setup, so a retry or the fallback can help.
    status = error.status_code
    detail = (error.response or {}).get("message") if isinstance(error.response, dict) else None
    return ProviderError(detail or str(error) or "the SMS gateway rejected the request",
                         http_status=status, permanent=status == 400)
