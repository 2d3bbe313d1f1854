"""GET /healthz: 200 when the database and Redis respond, 503 otherwise."""

import logging

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from db.base import utcnow
from db.sms_gateways import summarize_gateways
from gateway.extensions import get_database, get_redis

log = logging.getLogger(__name__)

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value == "ok" for value in checks.values())
    # Gateway phones are reported but do not decide the status: a silent
    # phone must not make a load balancer take the whole hotline out.
    gateways = _describe_gateways() if checks["database"] == "ok" else {}
    return (jsonify(status="ok" if healthy else "unavailable", checks=checks, sms_gateways=gateways),
            200 if healthy else 503)


def _describe_gateways() -> dict:
    try:
        with get_database().session() as session:
            summaries = summarize_gateways(session)
    except SQLAlchemyError as error:
        log.error("health check: SMS gateway states not read: %s", error)
        return {}
    now = utcnow()
    return {summary.name: summary.as_json(now) for summary in summaries}


def _check_database() -> str:
    try:
        with get_database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.error("health check: database failed: %s", error)
        return "failed"
    return "ok"


def _check_redis() -> str:
    try:
        get_redis().ping()
    except (RedisError, OSError) as error:
        log.error("health check: Redis failed: %s", error)
        return "failed"
    return "ok"
