"""The load generator: signed Twilio SMS webhooks sent on one asyncio loop with aiohttp.

Bodies and signatures are built before the clock starts, so the timed loop
only sends and reads. Two shapes:

- closed loop: a fixed number of connections, each sending its next request
  as soon as the response to the last one arrived; measures the maximum throughput.
- paced: requests start on a fixed schedule whatever the server does; the
  latency counts from the scheduled start, so a server that falls behind shows
  its queueing delay instead of hiding it (no coordinated omission).

Every run stops after its request count or its duration, whichever is first.
"""

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

from bench.common import Progress, summarize_ms

# The provider gives up on a webhook after 15 seconds; so does the generator.
REQUEST_TIMEOUT_SECONDS = 15
# Single-message requests in each language; each one creates a help request at once.
REQUEST_TEXTS = (
    "HRANA mleko i hleb",
    "USHQIM bukë dhe qumësht",
    "FOOD bread and milk please",
    "izvod iz matične knjige rođenih za moju majku",
)


@dataclass(frozen=True)
class SignedRequest:
    sid: str
    body: bytes
    headers: dict


def citizen_phone(index: int) -> str:
    # Kosovo mobile numbers: +383 44 and +383 49 give two million distinct senders.
    prefix = "44" if index < 1_000_000 else "49"
    return f"+383{prefix}{index % 1_000_000:06d}"


def build_sms_requests(public_url: str, token: str, count: int, first_number: int = 0, run_label: str = "r",
                       texts: tuple[str, ...] = REQUEST_TEXTS, to_number: str = "+38328000100") -> list[SignedRequest]:
    """Build `count` inbound SMS webhooks, each from a different number, signed with `token`.

    The signature covers public_url + "/twilio/sms", as the app rebuilds it from PUBLIC_URL.
    """
    validator = RequestValidator(token)
    url = public_url.rstrip("/") + "/twilio/sms"
    requests = []
    for index in range(count):
        sid = f"SM{run_label}{index:010d}".ljust(34, "0")[:34]
        form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "b" * 32,
                "From": citizen_phone(first_number + index), "To": to_number, "Body": texts[index % len(texts)],
                "NumMedia": "0", "NumSegments": "1"}
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(url, form)}
        requests.append(SignedRequest(sid, urlencode(form).encode(), headers))
    return requests


@dataclass
class LoadResult:
    shape: str
    target_rate: float | None
    sent: int = 0
    ok: int = 0
    errors: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    # sid -> monotonic time the response arrived, for end-to-end figures.
    answered_at: dict = field(default_factory=dict)
    elapsed: float = 0.0
    generator_cpu_seconds: float = 0.0
    # Requests that started later than scheduled because every connection was busy.
    late_starts: int = 0

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def summary(self) -> dict:
        data = {"shape": self.shape, "target_rate": self.target_rate, "sent": self.sent, "ok": self.ok,
                "errors": self.errors, "elapsed_s": round(self.elapsed, 2),
                "throughput_rps": round(self.throughput, 1),
                "generator_cpu_share": round(self.generator_cpu_seconds / self.elapsed, 3) if self.elapsed else None,
                "late_starts": self.late_starts}
        data.update(summarize_ms(self.latencies))
        return data


def _count_error(result: LoadResult, kind: str) -> None:
    result.errors[kind] = result.errors.get(kind, 0) + 1


async def _send(session: aiohttp.ClientSession, url: str, request: SignedRequest, started: float,
                result: LoadResult) -> None:
    result.sent += 1
    try:
        async with session.post(url, data=request.body, headers=request.headers) as response:
            await response.read()
            status = response.status
    except asyncio.TimeoutError:
        _count_error(result, "timeout")
        return
    except aiohttp.ClientError as error:
        _count_error(result, type(error).__name__)
        return
    answered = time.monotonic()
    if status != 200:
        _count_error(result, f"http_{status}")
        return
    result.ok += 1
    result.latencies.append(answered - started)
    result.answered_at[request.sid] = answered


def _session(connections: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    return aiohttp.ClientSession(connector=connector, timeout=timeout)


async def closed_loop(url: str, requests: list[SignedRequest], connections: int, duration: float,
                      label: str = "closed loop") -> LoadResult:
    """Keep `connections` requests in flight until the requests run out or `duration` seconds pass."""
    result = LoadResult("closed", None)
    pending = iter(requests)
    progress = Progress(label, total=len(requests), unit=" requests")

    async with _session(connections) as session:
        cpu_start, started = time.process_time(), time.monotonic()
        deadline = started + duration

        async def connection_loop():
            for request in pending:
                if time.monotonic() >= deadline:
                    return
                await _send(session, url, request, time.monotonic(), result)

        async def report():
            while True:
                await asyncio.sleep(1)
                progress.update(result.sent, f"{result.ok / max(time.monotonic() - started, 1e-9):.0f}/s")

        reporter = asyncio.create_task(report())
        await asyncio.gather(*(connection_loop() for _ in range(connections)))
        result.elapsed = time.monotonic() - started
        result.generator_cpu_seconds = time.process_time() - cpu_start
        reporter.cancel()
    progress.finish(f"{result.throughput:.0f} answers/s")
    return result


async def paced(url: str, requests: list[SignedRequest], rate: float, duration: float, max_in_flight: int = 256,
                grace: float = 10.0, label: str = "paced") -> LoadResult:
    """Start requests at `rate` per second for `duration` seconds, at most `max_in_flight` at once.

    Requests still unanswered `grace` seconds after the last start are
    cancelled and counted as errors ("unanswered"), so a server that cannot
    keep up ends the step instead of stretching it.
    """
    count = min(len(requests), int(rate * duration))
    result = LoadResult("paced", rate)
    progress = Progress(label, total=count, unit=" requests")
    slots = asyncio.Semaphore(max_in_flight)

    async with _session(max_in_flight) as session:
        cpu_start, started = time.process_time(), time.monotonic()
        tasks = []

        async def one(request: SignedRequest, scheduled: float):
            async with slots:
                if time.monotonic() - scheduled > 0.005:
                    result.late_starts += 1
                await _send(session, url, request, scheduled, result)

        for index, request in zip(itertools.count(), requests[:count]):
            scheduled = started + index / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(request, scheduled)))
            if index % max(1, int(rate)) == 0:
                progress.update(index, f"{result.ok} answered")
        _done, unanswered = await asyncio.wait(tasks, timeout=grace) if tasks else (set(), set())
        for task in unanswered:
            task.cancel()
        if unanswered:
            await asyncio.wait(unanswered)
            result.errors["unanswered"] = len(unanswered)
        result.elapsed = time.monotonic() - started
        result.generator_cpu_seconds = time.process_time() - cpu_start
    progress.finish(f"{result.ok}/{count} answered")
    return result


def run(coroutine):
    """Run one load shape on a fresh event loop."""
    return asyncio.run(coroutine)
