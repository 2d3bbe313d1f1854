"""Rendering console pages: the shared template context and the labels people read."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime, format_timedelta
from flask import g, render_template, request

from db import calls as call_states
from db import messages as message_states
from db import requests as request_states
from db.base import utcnow
from db.phone_numbers import format_for_people
from gateway.console.i18n import HTML_LANG, LANGUAGE_NAMES, current_locale, gettext, pgettext
from ivr_flows import texts
from ivr_flows.catalog import get_translations

DEFAULT_TIME_ZONE = "Europe/Belgrade"


def render_page(template: str, **context) -> str:
    return render_template(template, **context)


def render_error(status: int, message: str):
    return render_page("console/error.html", message=message, status=status), status


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def local_time(moment: datetime | None, time_zone: str | None = None) -> str:
    if moment is None:
        return ""
    return format_datetime(moment, "short", tzinfo=zone(time_zone), locale=current_locale())


def local_date(moment: datetime | None, time_zone: str | None = None) -> str:
    if moment is None:
        return ""
    return format_date(moment.astimezone(zone(time_zone)), "short", locale=current_locale())


def duration(delta: timedelta | None) -> str:
    if delta is None:
        return "–"
    return format_timedelta(delta, locale=current_locale(), format="short", threshold=1.5)


def age(moment: datetime | None) -> str:
    return duration(utcnow() - moment) if moment else ""


def request_status_label(status: str) -> str:
    labels = {
        request_states.STATUS_NEW: pgettext("request status", "New"),
        request_states.STATUS_OFFERED: pgettext("request status", "Offered"),
        request_states.STATUS_ACCEPTED: pgettext("request status", "Accepted"),
        request_states.STATUS_DONE: pgettext("request status", "Done"),
        request_states.STATUS_ESCALATED: pgettext("request status", "Escalated"),
        request_states.STATUS_CANCELLED: pgettext("request status", "Cancelled"),
    }
    return labels.get(status, status)


def offer_status_label(status: str) -> str:
    labels = {
        request_states.OFFER_PENDING: pgettext("offer status", "Waiting for an answer"),
        request_states.OFFER_ACCEPTED: pgettext("offer status", "Accepted"),
        request_states.OFFER_DECLINED: pgettext("offer status", "Declined"),
        request_states.OFFER_TAKEN: pgettext("offer status", "Taken by someone else"),
        request_states.OFFER_EXPIRED: pgettext("offer status", "No answer in time"),
        request_states.OFFER_WITHDRAWN: pgettext("offer status", "Withdrawn"),
        request_states.OFFER_UNREACHABLE: pgettext("offer status", "Could not be delivered"),
    }
    return labels.get(status, status)


def message_status_label(status: str) -> str:
    labels = {
        message_states.STATUS_RECEIVED: pgettext("message status", "Received"),
        message_states.STATUS_QUEUED: pgettext("message status", "Queued"),
        message_states.STATUS_SENDING: pgettext("message status", "Sending"),
        message_states.STATUS_RETRYING: pgettext("message status", "Will retry"),
        message_states.STATUS_HELD: pgettext("message status", "Kept in the outbox"),
        message_states.STATUS_SENT: pgettext("message status", "Sent"),
        message_states.STATUS_DELIVERED: pgettext("message status", "Delivered"),
        message_states.STATUS_UNDELIVERED: pgettext("message status", "Not delivered"),
        message_states.STATUS_FAILED: pgettext("message status", "Failed"),
    }
    return labels.get(status, status)


def call_status_label(status: str) -> str:
    labels = {
        call_states.CALL_QUEUED: pgettext("call status", "Queued"),
        call_states.CALL_CALLING: pgettext("call status", "Ringing"),
        call_states.CALL_COMPLETED: pgettext("call status", "Answered"),
        call_states.CALL_RETRYING: pgettext("call status", "Will call again"),
        call_states.CALL_HELD: pgettext("call status", "Kept in the outbox"),
        call_states.CALL_FAILED: pgettext("call status", "Failed"),
        call_states.CALL_SUPERSEDED: pgettext("call status", "Replaced by newer news"),
    }
    return labels.get(status, status)


def kind_label(kind: str) -> str:
    labels = {
        request_states.KIND_DOCUMENT: pgettext("request kind", "Document"),
        request_states.KIND_DELIVERY: pgettext("request kind", "Food or medicine"),
        request_states.KIND_COORDINATOR: pgettext("request kind", "Message for staff"),
    }
    return labels.get(kind, kind)


def document_label(document_type: str | None) -> str:
    """Name a document type with the SMS catalog's names, in the console's language."""
    if not document_type:
        return ""
    name = texts.DOCUMENT_NAMES.get(document_type)
    return get_translations(current_locale()).gettext(name) if name else document_type


def language_label(locale: str | None) -> str:
    labels = {
        "sr_Latn": gettext("Serbian (Latin)"),
        "sr_Cyrl": gettext("Serbian (Cyrillic)"),
        "sq": gettext("Albanian"),
        "en": gettext("English"),
    }
    return labels.get(locale or "", gettext("Not known yet"))


def language_code_label(code: str) -> str:
    labels = {"sr": gettext("Serbian"), "sq": gettext("Albanian"), "en": gettext("English")}
    return labels.get(code, code)


def skill_label(skill: str) -> str:
    labels = {"documents": gettext("Documents"), "delivery": gettext("Deliveries")}
    return labels.get(skill, skill)


def template_context() -> dict:
    locale = current_locale()
    return {
        "_": gettext,
        "pgettext": pgettext,
        "coordinator": g.get("coordinator"),
        "locale": locale,
        "html_lang": HTML_LANG.get(locale, "sr-Latn"),
        "language_names": LANGUAGE_NAMES,
        "here": request.full_path.rstrip("?"),
        "local_time": local_time,
        "local_date": local_date,
        "age": age,
        "duration": duration,
        "request_status_label": request_status_label,
        "offer_status_label": offer_status_label,
        "message_status_label": message_status_label,
        "call_status_label": call_status_label,
        "kind_label": kind_label,
        "document_label": document_label,
        "language_label": language_label,
        "language_code_label": language_code_label,
        "skill_label": skill_label,
        "phone": format_for_people,
    }
