"""Two reference apps that gunicorn serves with the Procfile's settings, beside the product.

- bare: a Flask view that returns a fixed TwiML reply; the ceiling of the
  web stack (gunicorn, Flask, form parsing) on this machine.
- skeleton: verifies the Twilio signature, inserts one row into `messages`
  and enqueues one RQ job; the floor of what any webhook of this shape does.

Both answer POST /twilio/sms, as the product does.
"""

import os

from flask import Flask, Response, abort, request
from rq import Queue
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from twilio.request_validator import RequestValidator

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
SKELETON_QUEUE = "bench-skeleton"
SKELETON_JOB = "bench.reference_jobs.noop"


def create_bare_app() -> Flask:
    app = Flask("bench_bare")

    @app.post("/twilio/sms")
    def inbound_sms():
        return Response(EMPTY_TWIML, mimetype="text/xml")

    return app


def create_skeleton_app() -> Flask:
    """Build the skeleton from DATABASE_URL, REDIS_URL, TWILIO_AUTH_TOKEN and PUBLIC_URL."""
    from db.messages import DIRECTION_IN, STATUS_RECEIVED, Message
    from db.base import utcnow
    from db.session import make_engine
    from workers.redis_connection import connect

    app = Flask("bench_skeleton")
    # The same engine settings (pool size, pre-ping) and Redis timeouts as the product.
    engine = make_engine(_database_url(os.environ["DATABASE_URL"]))
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    public_url = os.environ["PUBLIC_URL"].rstrip("/")
    queue = Queue(SKELETON_QUEUE, connection=connect(os.environ["REDIS_URL"]))
    area_ids: list[int] = []

    @app.post("/twilio/sms")
    def inbound_sms():
        form = request.form.to_dict()
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(public_url + request.path, form, signature):
            abort(403)

        now = utcnow()
        row = {"area_id": _area_id(engine, area_ids), "direction": DIRECTION_IN, "provider_sid": form["MessageSid"],
               "from_number": form.get("From", "")[:20], "to_number": form.get("To"), "body": form.get("Body", ""),
               "status": STATUS_RECEIVED, "kind": "inbound", "attempts": 0, "created_at": now, "updated_at": now}
        try:
            with engine.begin() as connection:
                message_id = connection.execute(insert(Message).values(**row).returning(Message.id)).scalar_one()
        except IntegrityError:
            return Response(EMPTY_TWIML, mimetype="text/xml")

        queue.enqueue(SKELETON_JOB, message_id, result_ttl=3600)
        return Response(EMPTY_TWIML, mimetype="text/xml")

    return app


def _area_id(engine, cache: list[int]) -> int:
    if not cache:
        from sqlalchemy import text

        with engine.connect() as connection:
            cache.append(connection.execute(text("SELECT min(id) FROM service_areas")).scalar_one())
    return cache[0]


def _database_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
