"""Verifying that a webhook really comes from the provider (X-Twilio-Signature).

Twilio-compatible engines sign with the same scheme (Base64 HMAC-SHA1 over the
URL and the sorted form fields) but not always with the same key or header:
SignalWire keys it with the project's Signing Key and sends it as
X-SignalWire-Signature. A request passes when any configured key verifies it.
"""

import functools
import logging
from collections.abc import Iterator

from flask import abort, request
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from db.channels import KIND_TWILIO, ChannelConfigError, ChannelProvider
from gateway.extensions import get_database, get_settings

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
    """Reject a webhook with 403 unless one of the configured keys verifies its signature."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        settings = get_settings()
        if not settings.verify_signatures:
            return view(*args, **kwargs)

        signature = request.headers.get("X-Twilio-Signature") or request.headers.get("X-SignalWire-Signature", "")
        url = public_request_url()
        form = request.form.to_dict()
        if not signature or not any(RequestValidator(key).validate(url, form, signature) for key in _signing_keys()):
            log.warning("rejected webhook %s: %s signature", request.path, "wrong" if signature else "missing")
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _signing_keys() -> Iterator[str]:
    """Yield the deployment's webhook token, then the keys of the Twilio-compatible providers of the areas.

    The providers are read only when the token did not verify the request, so a
    webhook signed with the deployment's own token costs no database query.
    """
    if get_settings().webhook_token:
        yield get_settings().webhook_token
    keys = []
    with get_database().session() as session:
        providers = session.scalars(select(ChannelProvider).where(ChannelProvider.kind == KIND_TWILIO)).all()
        for provider in providers:
            try:
                keys.append(provider.signing_key())
            except ChannelConfigError as error:
                log.error("provider %s cannot verify webhooks: %s", provider.name, error)
    yield from (key for key in keys if key)
