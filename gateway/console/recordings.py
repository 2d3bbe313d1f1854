"""Playing a call recording in the console, fetched from the provider with the account's credentials.

The browser only ever loads this route: the provider's recording address works
with the account credentials alone, so it must not leak into a page.
"""

import logging
import posixpath
from urllib.parse import urlsplit

import requests
from flask import Response, abort, stream_with_context
from flask import request as incoming

from gateway.console import console
from gateway.console.access import get_request_or_404
from gateway.console.auth import login_required
from gateway.console.i18n import gettext
from gateway.console.pages import render_error
from gateway.extensions import get_database, get_settings

log = logging.getLogger(__name__)

# (connect, read) seconds: a slow provider must not hold a web worker for long.
FETCH_TIMEOUT_SECONDS = (5, 30)
CHUNK_BYTES = 32 * 1024
PASSED_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges")


def provider_recording_url(api_base_url: str, recording_url: str) -> str:
    """Return where to fetch a recording: its path under TWILIO_API_BASE_URL, as MP3.

    Only the path of the stored address is used, so the credentials go to the
    configured provider and nowhere else. Twilio serves WAV for an address
    without an extension and MP3 for ".mp3", a tenth of the size for a slow line.
    """
    path = urlsplit(recording_url).path
    if not posixpath.splitext(path)[1]:
        path += ".mp3"
    return api_base_url.rstrip("/") + path


@console.get("/requests/<int:request_id>/recording")
@login_required
def recording(request_id: int):
    with get_database().session() as db:
        recording_url = get_request_or_404(db, request_id).recording_url
    if not recording_url:
        abort(404)

    settings = get_settings()
    if not settings.sends_for_real:
        return render_error(503, gettext("The recording cannot be played: no provider account is configured."))

    headers = {"Range": incoming.headers["Range"]} if "Range" in incoming.headers else {}
    try:
        upstream = requests.get(
            provider_recording_url(settings.twilio_api_base_url, recording_url), headers=headers, stream=True,
            auth=(settings.twilio_account_sid, settings.twilio_auth_token), timeout=FETCH_TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        log.error("recording of request %s not fetched: %s", request_id, error)
        return render_error(502, gettext("The recording could not be fetched from the provider. Try again later."))

    if upstream.status_code not in (200, 206):
        upstream.close()
        log.error("recording of request %s not fetched: provider returned HTTP %s", request_id, upstream.status_code)
        if upstream.status_code == 404:
            return render_error(404, gettext("The provider no longer has this recording."))
        return render_error(502, gettext("The recording could not be fetched from the provider. Try again later."))

    response = Response(stream_with_context(_stream(upstream)), status=upstream.status_code)
    for name in PASSED_HEADERS:
        # iter_content undoes a Content-Encoding, which would make the length wrong.
        if name == "Content-Length" and "Content-Encoding" in upstream.headers:
            continue
        if name in upstream.headers:
            response.headers[name] = upstream.headers[name]
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _stream(upstream: requests.Response):
    try:
        yield from upstream.iter_content(CHUNK_BYTES)
    finally:
        upstream.close()
