"""The watch job: notice SMS gateway phones that went silent or fell behind, and tell the coordinators."""

import logging
from datetime import datetime

from sqlalchemy import select

from db.areas import ServiceArea
from db.base import utcnow
from db.channels import KIND_SMSGATE, ChannelProvider, areas_using
from db.sms_gateways import (
    CONDITION_BACKLOG,
    CONDITION_OK,
    CONDITION_SILENT,
    count_backlog,
    get_state,
    judge_condition,
)
from ivr_flows.gateway_alerts import GATEWAY_BACKLOG, GATEWAY_RECOVERED, GATEWAY_SILENT, alert_coordinator
from workers.context import get_context

log = logging.getLogger(__name__)

WATCH_INTERVAL_SECONDS = 60


def watch_gateways(now: datetime | None = None) -> dict[str, str]:
    """Judge every gateway phone and alert on each change of condition; returns name -> condition.

    now is the moment to judge at, so tests can move the clock; the scheduler
    passes nothing and gets the current time.
    """
    now = now or utcnow()
    conditions = {}
    with get_context().database.session() as session:
        gateways = session.scalars(select(ChannelProvider).where(ChannelProvider.kind == KIND_SMSGATE)).all()
        for gateway in gateways:
            state = get_state(session, gateway)
            backlog = count_backlog(session, gateway)
            condition = judge_condition(gateway, state, backlog, now)
            conditions[gateway.name] = condition
            if condition == state.condition:
                continue

            previous = state.condition
            state.condition = condition
            state.condition_since = now
            _announce(session, gateway, previous, condition, backlog)
    return conditions


def _announce(session, gateway: ChannelProvider, previous: str, condition: str, backlog: int) -> None:
    if condition == CONDITION_SILENT:
        log.error("SMS gateway %s is silent: no event for %s minutes", gateway.name, gateway.silence_minutes)
        text, params = GATEWAY_SILENT, {"minutes": gateway.silence_minutes}
    elif condition == CONDITION_BACKLOG:
        log.error("SMS gateway %s has a backlog of %s messages", gateway.name, backlog)
        text, params = GATEWAY_BACKLOG, {"count": backlog}
    else:
        log.info("SMS gateway %s is %s again (was %s)", gateway.name, CONDITION_OK, previous)
        text, params = GATEWAY_RECOVERED, {}

    # The alert is an outbox row like any text. The send job routes it past a
    # silent phone to the area's fallback provider when there is one.
    for area_id in areas_using(session, gateway.id):
        area = session.get(ServiceArea, area_id)
        if alert_coordinator(session, area, text, name=gateway.name, **params) is None:
            log.warning("area %s has no coordinator phone; SMS gateway %s alert not sent", area.slug, gateway.name)
