"""Verifying that a webhook really comes from one of our SMS gateway phones.

SMS Gateway for Android signs each webhook with X-Signature, the hex
HMAC-SHA256 of the raw body followed by the X-Timestamp value (Unix seconds),
keyed with the phone's signing key (Settings → Webhooks → Signing Key). The
key that verifies the request also identifies the phone that sent it, so one
URL serves every phone.
"""

import functools
import hashlib
import hmac
import logging
import time

from flask import abort, g, request
from sqlalchemy import select

from db.channels import KIND_SMSGATE, ChannelConfigError, ChannelProvider
from gateway.extensions import get_database, get_settings

log = logging.getLogger(__name__)

# A signed request older or newer than this is refused, so a captured request
# cannot be replayed later; the app's documentation suggests five minutes.
MAX_TIMESTAMP_SKEW_SECONDS = 300


def compute_smsgate_signature(signing_key: str, raw_body: bytes, timestamp: str) -> str:
    return hmac.new(signing_key.encode(), raw_body + timestamp.encode(), hashlib.sha256).hexdigest()


def verify_smsgate_signature(view):
    """Reject a webhook with 403 unless a phone's signing key verifies it; puts the phone's id in g.gateway_id."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with get_database().session() as session:
            gateways = session.scalars(
                select(ChannelProvider).where(ChannelProvider.kind == KIND_SMSGATE).order_by(ChannelProvider.id)
            ).all()
            keys = _signing_keys(gateways)

        if not get_settings().verify_signatures:
            g.gateway_id = _guess_gateway(gateways)
            if g.gateway_id is None:
                log.warning("rejected SMS gateway webhook: no gateway phone is configured")
                abort(403)
            return view(*args, **kwargs)

        signature = request.headers.get("X-Signature", "").strip().lower()
        timestamp = request.headers.get("X-Timestamp", "").strip()
        problem = _check_timestamp(timestamp) if signature else "missing signature"
        if problem is None:
            g.gateway_id = _match_key(keys, request.get_data(cache=True), timestamp, signature)
            problem = None if g.gateway_id is not None else "wrong signature"
        if problem is not None:
            log.warning("rejected SMS gateway webhook: %s", problem)
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _signing_keys(gateways: list[ChannelProvider]) -> list[tuple[int, str]]:
    keys = []
    for gateway in gateways:
        try:
            key = gateway.signing_key()
        except ChannelConfigError as error:
            log.error("SMS gateway %s cannot verify webhooks: %s", gateway.name, error)
            continue
        if key:
            keys.append((gateway.id, key))
    return keys


def _check_timestamp(timestamp: str) -> str | None:
    if not timestamp.isdigit():
        return "missing or invalid X-Timestamp"
    skew = abs(time.time() - int(timestamp))
    if skew > MAX_TIMESTAMP_SKEW_SECONDS:
        return f"X-Timestamp is {skew:.0f}s away from now (limit {MAX_TIMESTAMP_SKEW_SECONDS}s)"
    return None


def _match_key(keys: list[tuple[int, str]], raw_body: bytes, timestamp: str, signature: str) -> int | None:
    for gateway_id, key in keys:
        if hmac.compare_digest(compute_smsgate_signature(key, raw_body, timestamp), signature):
            return gateway_id
    return None


def _guess_gateway(gateways: list[ChannelProvider]) -> int | None:
    # With verification off (local development) the sender is unproven, so
    # the device id in the body picks the phone, or else the first phone.
    body = request.get_json(silent=True, cache=True) or {}
    device_id = body.get("deviceId") if isinstance(body, dict) else None
    for gateway in gateways:
        if device_id and gateway.device_id == device_id:
            return gateway.id
    return gateways[0].id if gateways else None
