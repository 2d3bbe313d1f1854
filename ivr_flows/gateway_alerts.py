"""Texts that tell an area's coordinator that its SMS gateway phone stopped or came back."""

from sqlalchemy.orm import Session

from db.areas import ServiceArea
from db.messages import Message
from ivr_flows.catalog import N_, normalize_locale, translate
from ivr_flows.outgoing import queue_body

GATEWAY_SILENT = N_(
    "Hotline alert: the SMS phone {name} has not answered for {minutes} min. "
    "Check its power, signal and the SMS Gateway app."
)
GATEWAY_BACKLOG = N_(
    "Hotline alert: {count} messages are waiting on the SMS phone {name}. Check its signal and credit."
)
GATEWAY_RECOVERED = N_("Hotline: the SMS phone {name} works again.")

ALERT_KIND = "gateway_alert"


def alert_coordinator(session: Session, area: ServiceArea, text: str, **params: object) -> Message | None:
    """Queue a text to the area's coordinator in the area's language; None when the area has no coordinator phone."""
    if not area.coordinator_phone:
        return None
    body = translate(normalize_locale(area.default_locale), text, **params)
    return queue_body(session, area, area.coordinator_phone, body, ALERT_KIND)
