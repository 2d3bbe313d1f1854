"""A request's whole history in time order: state changes, notes, texts, offers and the recording."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from db.calls import OutboundCall, VoiceCall
from db.event_notes import translate_note
from db.messages import DIRECTION_IN, Message
from db.people import Volunteer
from db.requests import HelpRequest, Offer, RequestEvent
from gateway.console.i18n import gettext


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline; kind picks how the page draws it."""

    at: datetime
    kind: str  # "event", "note", "message_in", "message_out", "offer", "call_in", "call_out" or "recording"
    actor: str = ""
    from_status: str | None = None
    to_status: str | None = None
    text: str = ""
    status: str = ""
    detail: str = ""
    answered_at: datetime | None = None
    segments: int = 0


def build_timeline(db: Session, request: HelpRequest) -> list[TimelineEntry]:
    """Return every entry of a request's history, oldest first."""
    volunteer_names = _volunteer_names(db, request.area_id)
    entries = [_event_entry(event, volunteer_names) for event in db.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request.id).order_by(RequestEvent.at, RequestEvent.id)
    )]
    entries += [_message_entry(message, volunteer_names) for message in db.scalars(
        select(Message).where(Message.request_id == request.id).order_by(Message.created_at, Message.id)
    )]
    entries += [
        TimelineEntry(at=offer.sent_at, kind="offer", actor=offer.volunteer.name, status=offer.status,
                      answered_at=offer.answered_at, detail=str(offer.wave))
        for offer in db.scalars(
            select(Offer).options(joinedload(Offer.volunteer)).where(Offer.request_id == request.id)
        )
    ]
    if request.recording_url:
        # The page plays it through the console's own route; the provider's
        # address, which works with the account credentials, never reaches the browser.
        seconds = request.recording_seconds
        entries.append(TimelineEntry(at=request.created_at, kind="recording",
                                     detail=str(seconds) if seconds is not None else ""))
    entries += [
        TimelineEntry(at=call.started_at, kind="call_in", status=call.provider_status or "",
                      detail=str(call.duration_seconds) if call.duration_seconds is not None else "")
        for call in db.scalars(select(VoiceCall).where(VoiceCall.request_id == request.id))
    ]
    entries += [
        TimelineEntry(at=call.created_at, kind="call_out", to_status=call.news, status=call.status,
                      detail=call.last_error or "", answered_at=call.finished_at)
        for call in db.scalars(select(OutboundCall).where(OutboundCall.request_id == request.id))
    ]
    return sorted(entries, key=lambda entry: entry.at)


def describe_actor(actor: str, volunteer_names: dict[int, str]) -> str:
    """Name who caused an event: "system", "citizen:12", "volunteer:3" or "coordinator:ana"."""
    role, _, reference = actor.partition(":")
    if role == "system":
        return gettext("System")
    if role == "citizen":
        return gettext("Citizen")
    if role == "volunteer" and reference.isdigit():
        return gettext("Volunteer {name}", name=volunteer_names.get(int(reference), reference))
    if role == "coordinator":
        return gettext("Coordinator {name}", name=reference)
    return actor


def _event_entry(event: RequestEvent, volunteer_names: dict[int, str]) -> TimelineEntry:
    # Notes the system wrote are stored in English and shown in the console's
    # language; a coordinator's own note is shown as typed.
    note = translate_note(event.note or "", gettext)
    # Coordinator assignments store the volunteer as "volunteer:<id>".
    if note.startswith("volunteer:"):
        note = describe_actor(note, volunteer_names)
    kind = "event" if event.from_status or event.to_status else "note"
    return TimelineEntry(at=event.at, kind=kind, actor=describe_actor(event.actor, volunteer_names),
                         from_status=event.from_status, to_status=event.to_status, text=note)


def _message_entry(message: Message, volunteer_names: dict[int, str]) -> TimelineEntry:
    if message.direction == DIRECTION_IN:
        return TimelineEntry(at=message.created_at, kind="message_in", text=message.body, status=message.status)

    if message.volunteer_id is not None:
        recipient = gettext("Volunteer {name}", name=volunteer_names.get(message.volunteer_id, "?"))
    elif message.citizen_id is not None:
        recipient = gettext("Citizen")
    else:
        recipient = gettext("Coordinator on duty")
    return TimelineEntry(at=message.created_at, kind="message_out", actor=recipient, text=message.body,
                         status=message.status, detail=message.last_error or "", answered_at=message.sent_at,
                         segments=message.segments or 0)


def _volunteer_names(db: Session, area_id: int) -> dict[int, str]:
    return dict(db.execute(select(Volunteer.id, Volunteer.name).where(Volunteer.area_id == area_id)).all())
