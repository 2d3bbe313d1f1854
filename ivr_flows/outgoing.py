"""Catalog texts rendered for one recipient and written to the outbox."""

from sqlalchemy.orm import Session

from db.areas import SMS_POLICY_GSM7, ServiceArea
from db.outbox import OutboundText, add_outbound
from db.messages import Message
from db.people import Citizen, Volunteer
from ivr_flows.catalog import normalize_locale, translate
from ivr_flows.sms_segments import measure, to_gsm7


def render_for_area(area: ServiceArea, body: str) -> tuple[str, str, int]:
    """Apply the area's SMS policy to a text and measure it: (body, encoding, segments)."""
    if area.sms_policy == SMS_POLICY_GSM7:
        body = to_gsm7(body)
    size = measure(body)
    return body, size.encoding, size.segments


def citizen_locale(area: ServiceArea, citizen: Citizen) -> str:
    return normalize_locale(citizen.locale, area.default_locale)


def text_citizen(
    session: Session, area: ServiceArea, citizen: Citizen, message: str, kind: str = "reply",
    request_id: int | None = None, force: bool = False, **params: object,
) -> Message | None:
    """Queue a catalog text to a citizen in their language.

    An opted-out citizen gets nothing, except the one confirmation of STOP, which
    the caller sends with force=True.
    """
    if citizen.opted_out and not force:
        return None
    body = translate(citizen_locale(area, citizen), message, **params)
    return queue_body(session, area, citizen.phone, body, kind, request_id=request_id, citizen_id=citizen.id)


def text_volunteer(
    session: Session, area: ServiceArea, volunteer: Volunteer, message: str, kind: str = "reply",
    request_id: int | None = None, **params: object,
) -> Message:
    """Queue a catalog text to a volunteer in their language."""
    body = translate(normalize_locale(volunteer.locale, area.default_locale), message, **params)
    return queue_body(session, area, volunteer.phone, body, kind, request_id=request_id, volunteer_id=volunteer.id)


def queue_body(
    session: Session, area: ServiceArea, to_number: str, body: str, kind: str,
    request_id: int | None = None, citizen_id: int | None = None, volunteer_id: int | None = None,
) -> Message:
    """Queue an already rendered text after applying the area's SMS policy."""
    body, encoding, segments = render_for_area(area, body)
    return add_outbound(
        session, area,
        OutboundText(
            to_number=to_number, body=body, encoding=encoding, segments=segments, kind=kind,
            request_id=request_id, citizen_id=citizen_id, volunteer_id=volunteer_id,
        ),
    )
