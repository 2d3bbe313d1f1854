"""Figures for donor reports: requests, response times, escalations, volunteers' work and SMS cost.

Sums and medians are computed in Python over the period's rows, which keeps
the queries identical on SQLite and PostgreSQL; a centre's few thousand
requests a year make that cheap.
"""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.messages import DIRECTION_OUT, Message
from db.people import Volunteer
from db.requests import STATUS_DONE, HelpRequest
from db.sms_usage import BILLED_STATUSES


@dataclass
class RequestReport:
    """Figures of one period in a set of areas."""

    requests: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_document_type: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    by_day: dict[date, int] = field(default_factory=dict)
    median_to_accept: timedelta | None = None
    median_to_done: timedelta | None = None
    escalated: int = 0
    # (volunteer name, tasks completed in the period), most first.
    completed_by_volunteer: list[tuple[str, int]] = field(default_factory=list)
    sms_messages: int = 0
    sms_segments: int = 0
    sms_segments_by_day: dict[date, int] = field(default_factory=dict)

    @property
    def escalated_share(self) -> float | None:
        return self.escalated / self.requests if self.requests else None


def build_report(session: Session, area_ids: list[int], start: datetime, end: datetime, local_zone: tzinfo) -> RequestReport:
    """Count the requests created in [start, end) and the tasks completed and texts sent in it.

    Days are those of local_zone, the area's time zone, so a request at 00:30
    local time counts on the day people saw it.
    """
    report = RequestReport()
    _count_requests(session, report, area_ids, start, end, local_zone)
    _count_completed_tasks(session, report, area_ids, start, end)
    _count_texts(session, report, area_ids, start, end, local_zone)
    return report


def _count_requests(session, report, area_ids, start, end, local_zone) -> None:
    to_accept, to_done = [], []
    day = start.astimezone(local_zone).date()
    last_day = (end - timedelta(microseconds=1)).astimezone(local_zone).date()
    while day <= last_day:
        report.by_day[day] = 0
        day += timedelta(days=1)

    for request in session.scalars(select(HelpRequest).where(
            HelpRequest.area_id.in_(area_ids), HelpRequest.created_at >= start, HelpRequest.created_at < end)):
        report.requests += 1
        report.by_kind[request.kind] += 1
        if request.document_type:
            report.by_document_type[request.document_type] += 1
        report.by_status[request.status] += 1
        local_day = request.created_at.astimezone(local_zone).date()
        report.by_day[local_day] = report.by_day.get(local_day, 0) + 1
        # escalated_at stays set after a coordinator acts, so this counts
        # every request that ever needed staff.
        if request.escalated_at is not None:
            report.escalated += 1
        if request.accepted_at is not None:
            to_accept.append(request.accepted_at - request.created_at)
        if request.done_at is not None:
            to_done.append(request.done_at - request.created_at)

    report.median_to_accept = statistics.median(to_accept) if to_accept else None
    report.median_to_done = statistics.median(to_done) if to_done else None


def _count_completed_tasks(session, report, area_ids, start, end) -> None:
    completed = Counter()
    names = {}
    for volunteer_id, name in session.execute(
        select(Volunteer.id, Volunteer.name)
        .join(HelpRequest, HelpRequest.volunteer_id == Volunteer.id)
        .where(HelpRequest.area_id.in_(area_ids), HelpRequest.status == STATUS_DONE,
               HelpRequest.done_at >= start, HelpRequest.done_at < end)
    ):
        completed[volunteer_id] += 1
        names[volunteer_id] = name
    report.completed_by_volunteer = sorted(
        ((names[volunteer_id], count) for volunteer_id, count in completed.items()), key=lambda item: (-item[1], item[0])
    )


def _count_texts(session, report, area_ids, start, end, local_zone) -> None:
    for created_at, segments in session.execute(
        select(Message.created_at, Message.segments).where(
            Message.area_id.in_(area_ids), Message.direction == DIRECTION_OUT,
            Message.status.in_(BILLED_STATUSES), Message.created_at >= start, Message.created_at < end)
    ):
        local_day = created_at.astimezone(local_zone).date()
        report.sms_messages += 1
        report.sms_segments += segments or 1
        report.sms_segments_by_day[local_day] = report.sms_segments_by_day.get(local_day, 0) + (segments or 1)
