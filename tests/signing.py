"""Webhook requests signed exactly as Twilio signs them."""

import uuid

from twilio.request_validator import RequestValidator

PUBLIC_URL = "https://hotline.example.org"
HOTLINE_NUMBER = "+38328000100"


def signed_post(client, path: str, form: dict, token: str, public_url: str = PUBLIC_URL):
    """POST a form to the app with the X-Twilio-Signature the provider would send."""
    signature = RequestValidator(token).compute_signature(public_url + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def sms_form(sender: str, body: str, sid: str | None = None, to: str = HOTLINE_NUMBER) -> dict:
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }
