"""A fake of the SMS Gateway for Android REST API, and a sender of its signed webhooks.

The fake serves /messages and /health on loopback as the app's local server
does, so the real android_sms_gateway client talks to it. PhoneWebhooks plays
the phone's other half: it posts signed JSON events to the hotline exactly as
the app does (X-Signature = hex HMAC-SHA256 of body + X-Timestamp).
"""

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

DEVICE_ID = "ffffffffceb0b1db0000018e937c815b"


@dataclass
class GatewaySms:
    """One message the fake phone accepted."""

    id: str
    to: str
    text: str
    sim_number: int | None
    payload: dict


@dataclass
class FakeSmsGate:
    username: str
    password: str
    url: str = ""
    accepted: list = field(default_factory=list)
    # HTTP statuses returned instead of success to the next requests, in order.
    planned_failures: list = field(default_factory=list)
    health_status: str = "pass"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.accepted.clear()
            self.planned_failures.clear()
            self.health_status = "pass"

    def fail_next(self, count: int, status: int = 503) -> None:
        with self.lock:
            self.planned_failures.extend([status] * count)

    def messages(self, to: str | None = None) -> list[GatewaySms]:
        with self.lock:
            return [sms for sms in self.accepted if to is None or sms.to == to]

    def texts_to(self, to: str) -> list[str]:
        return [sms.text for sms in self.messages(to)]


def build_fake_app(fake: FakeSmsGate) -> Flask:
    app = Flask("fake_smsgate")
    counter = itertools.count(1)

    def authorised() -> bool:
        expected = base64.b64encode(f"{fake.username}:{fake.password}".encode()).decode()
        return request.headers.get("Authorization", "") == f"Basic {expected}"

    @app.post("/messages")
    @app.post("/message")
    def send():
        if not authorised():
            return jsonify(message="Unauthorized"), 401
        with fake.lock:
            failure = fake.planned_failures.pop(0) if fake.planned_failures else None
        if failure is not None:
            return jsonify(message=f"fake failure {failure}"), failure

        payload = request.get_json()
        numbers = payload.get("phoneNumbers") or []
        text = (payload.get("textMessage") or {}).get("text")
        if len(numbers) != 1 or not text:
            return jsonify(message="phoneNumbers and textMessage.text are required"), 400

        message_id = f"gw{next(counter):05d}{uuid.uuid4().hex[:8]}"
        with fake.lock:
            fake.accepted.append(GatewaySms(message_id, numbers[0], text, payload.get("simNumber"), payload))
        return jsonify(id=message_id, state="Pending", isHashed=False, isEncrypted=False,
                       recipients=[{"phoneNumber": numbers[0], "state": "Pending"}]), 202

    @app.get("/health")
    def health():
        with fake.lock:
            failure = fake.planned_failures.pop(0) if fake.planned_failures else None
        if failure is not None:
            return jsonify(message=f"fake failure {failure}"), failure
        checks = {"battery:level": {"status": "pass", "observedValue": 94, "observedUnit": "percent"}}
        return jsonify(status=fake.health_status, version="fake", releaseId=1, checks=checks)

    return app


class FakeSmsGateServer:
    """Serve a FakeSmsGate in a background thread on a free loopback port."""

    def __init__(self, username: str = "sms", password: str = "fake-gateway-password"):
        self.fake = FakeSmsGate(username=username, password=password)
        self._server = make_server("127.0.0.1", 0, build_fake_app(self.fake), threaded=True)
        self.fake.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeSmsGate:
        self._thread.start()
        return self.fake

    def stop(self) -> None:
        self._server.shutdown()


def sign(signing_key: str, body: bytes, timestamp: str) -> str:
    return hmac.new(signing_key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


class PhoneWebhooks:
    """Post the phone's webhook events to the hotline, signed as the app signs them.

    post(path, body, headers) sends the request: a Flask test client or real
    HTTP to a served app, whichever the test needs.
    """

    def __init__(self, post: Callable, signing_key: str, device_id: str = DEVICE_ID):
        self._post = post
        self.signing_key = signing_key
        self.device_id = device_id

    def send(self, event: str, payload: dict, event_id: str | None = None, timestamp: int | None = None,
             signing_key: str | None = None):
        body = json.dumps({"deviceId": self.device_id, "event": event, "id": event_id or uuid.uuid4().hex[:21],
                           "payload": payload, "webhookId": "fake-webhook"}).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        headers = {"Content-Type": "application/json", "X-Timestamp": stamp,
                   "X-Signature": sign(signing_key or self.signing_key, body, stamp)}
        return self._post("/smsgate/webhook", body, headers)

    def received(self, phone: str, text: str, event_id: str | None = None, sim_number: int | None = 1, **options):
        # messageId is derived from the content by the app, so it is not unique.
        payload = {"messageId": hashlib.sha1(f"{phone}{text}".encode()).hexdigest()[:21], "message": text,
                   "phoneNumber": phone, "sender": phone, "simNumber": sim_number,
                   "receivedAt": "2026-12-04T15:46:11.000+01:00"}
        return self.send("sms:received", payload, event_id=event_id, **options)

    def sent(self, message_id: str, **options):
        return self.send("sms:sent", {"messageId": message_id, "sentAt": "2026-12-04T15:47:00.000+01:00"}, **options)

    def delivered(self, message_id: str, **options):
        return self.send("sms:delivered", {"messageId": message_id, "deliveredAt": "2026-12-04T15:47:05.000+01:00"},
                         **options)

    def failed(self, message_id: str, reason: str, **options):
        return self.send("sms:failed", {"messageId": message_id, "reason": reason,
                                        "failedAt": "2026-12-04T15:47:05.000+01:00"}, **options)

    def ping(self, battery: int = 94, **options):
        health = {"status": "pass", "version": "1.0.0", "releaseId": 1,
                  "checks": {"battery:level": {"description": "Battery level in percent", "observedUnit": "percent",
                                               "observedValue": battery, "status": "pass"}}}
        return self.send("system:ping", {"health": health}, **options)
