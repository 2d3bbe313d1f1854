"""A small fake of Twilio's REST API (Messages and Calls) served on loopback.

The real twilio library talks to it through TWILIO_API_BASE_URL, so tests see
exactly the requests a deployment would send, and can make it fail on demand.
"""

import base64
import itertools
import threading
import uuid
from dataclasses import dataclass, field

from flask import Flask, jsonify, request
from werkzeug.serving import make_server


@dataclass
class RecordedRequest:
    kind: str  # "message" or "call"
    account_sid: str
    form: dict

    @property
    def to(self) -> str:
        return self.form.get("To", "")

    @property
    def body(self) -> str:
        return self.form.get("Body", "")


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    url: str = ""
    requests: list = field(default_factory=list)
    # Each entry is (HTTP status, Twilio error code) answered instead of success, in order.
    planned_failures: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # While hold is set, requests wait; releasing with drop=True loses them, as
    # a provider loses a request whose sender died before finishing it.
    hold: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    held_count: int = 0
    drop_held: bool = False
    # Numbers that always fail with (HTTP status, Twilio error code), like a phone that is off for good.
    failing_numbers: dict = field(default_factory=dict)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.planned_failures.clear()
            self.held_count = 0
            self.drop_held = False
            self.failing_numbers.clear()
        self.hold.clear()
        self.released.set()

    def hold_requests(self) -> None:
        self.released.clear()
        self.hold.set()

    def release(self, drop: bool) -> None:
        self.drop_held = drop
        self.hold.clear()
        self.released.set()

    def fail_next(self, count: int, status: int = 500, code: int | None = None) -> None:
        with self.lock:
            self.planned_failures.extend([(status, code)] * count)

    def messages(self, to: str | None = None) -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.kind == "message" and (to is None or r.to == to)]

    def calls(self, to: str | None = None) -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.kind == "call" and (to is None or r.to == to)]


def build_fake_app(fake: FakeTwilio) -> Flask:
    app = Flask("fake_twilio")
    counter = itertools.count(1)

    def authorised() -> bool:
        header = request.headers.get("Authorization", "")
        expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    def answer(kind: str, prefix: str, account_sid: str):
        if not authorised():
            return jsonify(code=20003, message="Authenticate", status=401), 401
        if fake.hold.is_set():
            with fake.lock:
                fake.held_count += 1
            fake.released.wait(timeout=120)
            if fake.drop_held:
                return jsonify(code=None, message="request lost", status=503), 503
        with fake.lock:
            failure = fake.planned_failures.pop(0) if fake.planned_failures else None
            failure = failure or fake.failing_numbers.get(request.form.get("To"))
        if failure is not None:
            status, code = failure
            return jsonify(code=code, message=f"fake failure {status}", status=status), status

        form = request.form.to_dict()
        sid = f"{prefix}{uuid.uuid4().hex}"
        with fake.lock:
            fake.requests.append(RecordedRequest(kind, account_sid, form))
        payload = {"sid": sid, "account_sid": account_sid, "status": "queued", "to": form.get("To"),
                   "from": form.get("From"), "body": form.get("Body"), "num_segments": "1",
                   "uri": f"/2010-04-01/Accounts/{account_sid}/{kind}/{sid}.json", "index": next(counter)}
        return jsonify(payload), 201

    @app.post("/2010-04-01/Accounts/<account_sid>/Messages.json")
    def create_message(account_sid):
        return answer("message", "SM", account_sid)

    @app.post("/2010-04-01/Accounts/<account_sid>/Calls.json")
    def create_call(account_sid):
        return answer("call", "CA", account_sid)

    @app.get("/2010-04-01/Accounts/<account_sid>.json")
    def fetch_account(account_sid):
        if not authorised():
            return jsonify(code=20003, message="Authenticate", status=401), 401
        return jsonify(sid=account_sid, status="active", friendly_name="fake account")

    return app


class FakeTwilioServer:
    """Serve a FakeTwilio in a background thread on a free loopback port."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "test-auth-token"):
        self.fake = FakeTwilio(account_sid=account_sid, auth_token=auth_token)
        self._server = make_server("127.0.0.1", 0, build_fake_app(self.fake), threaded=True)
        self.fake.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self.fake

    def stop(self) -> None:
        self._server.shutdown()
