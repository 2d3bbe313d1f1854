"""GET /healthz: 200 when the database and Redis answer, 503 otherwise."""

import logging

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.extensions import get_database, get_redis

log = logging.getLogger(__name__)

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", checks=checks), 200 if healthy else 503


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
