"""Verifying that a webhook really comes from the provider (X-Twilio-Signature)."""

import functools
import logging

from flask import abort, request
from twilio.request_validator import RequestValidator

from gateway.extensions import get_settings

log = logging.getLogger(__name__)


def public_request_url() -> str:
    """Return the URL the provider called, rebuilt from PUBLIC_URL behind a proxy.

    The signature covers the exact URL the provider used, which a reverse proxy
    or tunnel hides from Flask; PUBLIC_URL restores its scheme and host.
    """
    settings = get_settings()
    if not settings.public_url:
        return request.url
    path_and_query = request.full_path if request.query_string else request.path
    return settings.public_url.rstrip("/") + path_and_query


def verify_twilio_signature(view):
    """Reject a webhook with 403 unless its signature matches the auth token."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        settings = get_settings()
        if not settings.verify_signatures:
            return view(*args, **kwargs)

        signature = request.headers.get("X-Twilio-Signature", "")
        token = settings.webhook_token
        url = public_request_url()
        if not signature or not token or not RequestValidator(token).validate(url, request.form.to_dict(), signature):
            log.warning("rejected webhook %s: %s signature", request.path, "wrong" if signature else "missing")
            abort(403)
        return view(*args, **kwargs)

    return wrapper
