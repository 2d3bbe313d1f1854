"""The coordinators' web console: board, request timelines, volunteers and reports.

Server-rendered pages with plain forms, so it works without JavaScript and on
a slow office connection.
"""

import logging
from datetime import timedelta

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFError, CSRFProtect

from gateway.settings import Settings

log = logging.getLogger(__name__)

console = Blueprint("console", __name__, url_prefix="/console", static_folder="../static/console",
                    static_url_path="/static")
csrf = CSRFProtect()

# A coordinator's sign-in lasts one working day.
SESSION_LIFETIME = timedelta(hours=12)


def init_console(app: Flask) -> None:
    """Configure sessions and CSRF protection, and register the console's blueprint."""
    settings: Settings = app.extensions["hotline.settings"]
    app.config.update(
        # Only the console signs people in with a cookie, so only its forms
        # need CSRF tokens; its blueprint checks them. The provider webhooks
        # carry no cookie and are verified by their signatures instead.
        WTF_CSRF_CHECK_DEFAULT=False,
        # A token lives as long as the sign-in, so a page left open all
        # morning can still post a note.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.public_url and settings.public_url.startswith("https://")),
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )
    csrf.init_app(app)

    from gateway.console import auth, board, recordings, reports, requests, volunteers  # noqa: F401  (views)

    app.register_blueprint(console)


@console.before_request
def _prepare_request():
    from flask import request

    from gateway.console.auth import load_signed_in_coordinator

    if request.endpoint == "console.static":
        return
    # The coordinator and the language come first, so that even a rejected
    # form is explained in the coordinator's language.
    load_signed_in_coordinator()
    csrf.protect()


@console.context_processor
def _template_context() -> dict:
    from gateway.console.pages import template_context

    return template_context()


@console.errorhandler(CSRFError)
def _reject_stale_form(error: CSRFError):
    from gateway.console.i18n import gettext
    from gateway.console.pages import render_error

    log.info("console form rejected: %s", error.description)
    return render_error(400, gettext("This form has expired. Go back, reload the page and send it again."))
