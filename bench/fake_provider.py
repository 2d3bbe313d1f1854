"""A fake of Twilio's Messages and Calls REST API for benchmarks, on aiohttp in a process of its own.

It also takes POST /message as the SMS Gateway for Android app does, so a
benchmark can send through a gateway phone with its hourly limit.

It answers like tests/fake_twilio.py but on one asyncio loop, so hundreds of
requests a second cost it little, and it can wait a fixed latency before each
answer without holding a thread. It stores the monotonic time at which each
request arrived; time.monotonic() reads CLOCK_MONOTONIC, which every process
on one Linux machine shares, so the times compare with the load generator's.

Control endpoints under /bench/: GET arrivals, GET count, POST reset,
POST latency?ms=N.

    python -m bench.fake_provider --port 8089 --latency-ms 50
"""

import argparse
import asyncio
import base64
import itertools
import json
import subprocess
import sys
import time
import uuid
from urllib.request import Request, urlopen

from aiohttp import web

from bench.common import REPO_ROOT
from bench.services import ACCOUNT_SID, AUTH_TOKEN, GATEWAY_PASSWORD, GATEWAY_USER, free_port, wait_for_port


class FakeProviderState:
    def __init__(self, latency_seconds: float):
        self.latency_seconds = latency_seconds
        # (sid, kind, to, arrival time) in arrival order.
        self.arrivals: list[tuple[str, str, str, float]] = []
        self.counter = itertools.count(1)
        self.expected_authorization = _basic(ACCOUNT_SID, AUTH_TOKEN)
        self.gateway_authorization = _basic(GATEWAY_USER, GATEWAY_PASSWORD)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def build_app(state: FakeProviderState) -> web.Application:
    async def create(request: web.Request, kind: str, prefix: str) -> web.Response:
        arrived = time.monotonic()
        if request.headers.get("Authorization") != state.expected_authorization:
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        form = await request.post()
        if state.latency_seconds:
            await asyncio.sleep(state.latency_seconds)
        sid = f"{prefix}{uuid.uuid4().hex}"
        to = form.get("To", "")
        state.arrivals.append((sid, kind, to, arrived))
        account_sid = request.match_info["account_sid"]
        payload = {"sid": sid, "account_sid": account_sid, "status": "queued", "to": to, "from": form.get("From"),
                   "body": form.get("Body"), "num_segments": "1", "index": next(state.counter),
                   "uri": f"/2010-04-01/Accounts/{account_sid}/{kind}/{sid}.json"}
        return web.json_response(payload, status=201)

    async def create_message(request):
        return await create(request, "message", "SM")

    async def create_call(request):
        return await create(request, "call", "CA")

    async def gateway_message(request):
        arrived = time.monotonic()
        if request.headers.get("Authorization") != state.gateway_authorization:
            return web.json_response({"message": "Unauthorized"}, status=401)
        payload = await request.json()
        if state.latency_seconds:
            await asyncio.sleep(state.latency_seconds)
        to = (payload.get("phoneNumbers") or [""])[0]
        message_id = f"gw{next(state.counter)}{uuid.uuid4().hex[:8]}"
        state.arrivals.append((message_id, "gateway", to, arrived))
        return web.json_response({"id": message_id, "state": "Pending", "isHashed": False, "isEncrypted": False,
                                  "recipients": [{"phoneNumber": to, "state": "Pending"}]}, status=202)

    async def arrivals(request):
        start = int(request.query.get("since", "0"))
        return web.json_response(state.arrivals[start:])

    async def count(request):
        return web.json_response({"count": len(state.arrivals)})

    async def reset(request):
        state.arrivals.clear()
        return web.json_response({"count": 0})

    async def set_latency(request):
        state.latency_seconds = float(request.query["ms"]) / 1000
        return web.json_response({"latency_ms": state.latency_seconds * 1000})

    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{account_sid}/Messages.json", create_message)
    app.router.add_post("/2010-04-01/Accounts/{account_sid}/Calls.json", create_call)
    app.router.add_post("/message", gateway_message)
    app.router.add_post("/messages", gateway_message)
    app.router.add_get("/bench/arrivals", arrivals)
    app.router.add_get("/bench/count", count)
    app.router.add_post("/bench/reset", reset)
    app.router.add_post("/bench/latency", set_latency)
    return app


class FakeProvider:
    """The fake provider in a child process, and a client for its control endpoints."""

    def __init__(self, latency_ms: float = 0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.fake_provider", "--port", str(self.port), "--latency-ms", str(latency_ms)],
            cwd=REPO_ROOT,
        )
        try:
            wait_for_port(self.port, timeout=20, process=self.process)
        except BaseException:
            self.stop()
            raise

    def _call(self, method: str, path: str):
        with urlopen(Request(self.url + path, method=method), timeout=30) as response:
            return json.loads(response.read())

    def count(self) -> int:
        return self._call("GET", "/bench/count")["count"]

    def arrivals(self) -> dict[str, tuple[str, str, float]]:
        """Return every request received so far: sid -> (kind, to, monotonic arrival time)."""
        return {sid: (kind, to, arrived) for sid, kind, to, arrived in self._call("GET", "/bench/arrivals")}

    def arrival_times(self) -> list[float]:
        return [arrived for _sid, _kind, _to, arrived in self._call("GET", "/bench/arrivals")]

    def reset(self) -> None:
        self._call("POST", "/bench/reset")

    def set_latency(self, milliseconds: float) -> None:
        self._call("POST", f"/bench/latency?ms={milliseconds}")

    def wait_for_count(self, expected: int, timeout: float, progress=None) -> int:
        """Wait until `expected` requests have arrived or the timeout passes; return the count."""
        deadline = time.monotonic() + timeout
        while True:
            count = self.count()
            if progress is not None:
                progress.update(count)
            if count >= expected or time.monotonic() > deadline:
                return count
            time.sleep(0.25)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Twilio REST API on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True, help="TCP port to listen on")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay before each answer, in milliseconds")
    options = parser.parse_args()
    state = FakeProviderState(options.latency_ms / 1000)
    web.run_app(build_app(state), host="127.0.0.1", port=options.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
