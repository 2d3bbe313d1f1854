"""Figure 3: outbox drain, queued messages sent through the fake provider by two RQ workers.

The messages are stored as outbox rows (status queued) and their
send_message jobs enqueued before the workers start, as after an outage.
The rate counts from the first message's arrival at the provider to the
last one's. A queue that outlasts the time window is measured over the
window.

References, in the same run:
- the provider bound: as many connections as the two workers hold open at
  once (each send job carries a batch of SEND_BATCH_SIZE rows side by
  side), POSTing back to back straight to the fake provider. The target is
  90 % of that bound, or of 100 messages a second when the bound is higher;
- RQ's own ceiling: the same two workers draining do-nothing jobs.

A third case sends through an SMS gateway phone limited to
GATEWAY_LIMIT_PER_HOUR texts an hour. The phone must receive no more than
that. Every other row must wait in the outbox as retrying, for about an
hour, and none may fail or be lost.

    python -m bench.drain [--quick]
"""

import asyncio
import base64
import time

import aiohttp
from rq import Queue
from rq.registry import FinishedJobRegistry
from sqlalchemy import insert, select

from bench.common import Progress, parse_options, ratio, save_result, say
from bench.fake_provider import FakeProvider
from bench.processes import RqWorkers
from bench.services import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    GATEWAY_PASSWORD_ENV,
    GATEWAY_USER_ENV,
    HOTLINE_NUMBER,
    BenchServices,
)
from workers.queues import JOB_RESULT_TTL_SECONDS, JOBS, SEND_QUEUE
from workers.sending import SEND_BATCH_SIZE

LATENCIES_MS = (0, 50)
WORKERS = 2
# The target: the drain follows the provider up to this rate.
TARGET_RATE = 100.0
# Operators tolerate about this many texts an hour from one SIM; the product's default for a gateway phone.
GATEWAY_LIMIT_PER_HOUR = 300
ENQUEUE_CHUNK = 1000

DEFAULT_PLAN = {"messages": 10_000, "window_seconds": 90.0, "noop_jobs": 10_000, "noop_window_seconds": 20.0,
                "provider_seconds": 5.0, "gateway_messages": 1000, "gateway_window_seconds": 60.0}
QUICK_PLAN = {"messages": 150, "window_seconds": 15.0, "noop_jobs": 150, "noop_window_seconds": 10.0,
              "provider_seconds": 1.0, "gateway_messages": 400, "gateway_window_seconds": 20.0}


def store_outbox(services: BenchServices, count: int) -> list[int]:
    """Insert `count` queued outbox rows: three offers to volunteers for each reply to a citizen."""
    from db.areas import ServiceArea
    from db.base import utcnow
    from db.messages import DIRECTION_OUT, STATUS_QUEUED, Message
    from db.people import Citizen, Volunteer

    with services.engine.begin() as connection:
        area_id = connection.execute(select(ServiceArea.id)).scalars().first()
        volunteers = connection.execute(select(Volunteer.id, Volunteer.phone)).all()
        now = utcnow()
        citizens = [{"area_id": area_id, "phone": f"+38349{index:06d}", "locale": "sr_Latn", "created_at": now,
                     "locale_chosen": False, "opted_out": False} for index in range(count // 4 + 1)]
        citizen_ids = connection.execute(insert(Citizen).returning(Citizen.id, Citizen.phone), citizens).all()
        rows = []
        for index in range(count):
            row = {"area_id": area_id, "direction": DIRECTION_OUT, "from_number": HOTLINE_NUMBER, "status": STATUS_QUEUED,
                   "attempts": 0, "created_at": now, "updated_at": now, "encoding": "GSM-7", "segments": 1,
                   "citizen_id": None, "volunteer_id": None}
            if index % 4 == 0:
                citizen_id, phone = citizen_ids[index // 4]
                row.update(to_number=phone, citizen_id=citizen_id, kind="received",
                           body=f"Primili smo Vaš zahtev. Broj zahteva: {index}.")
            else:
                volunteer_id, phone = volunteers[index % len(volunteers)]
                row.update(to_number=phone, volunteer_id=volunteer_id, kind="offer",
                           body=f"Novi zadatak {index}: hrana (mleko i hleb). Odgovorite DA {index} da ga preuzmete.")
            rows.append(row)
        ids = connection.execute(insert(Message).returning(Message.id), rows).scalars().all()
    return list(ids)


def enqueue_jobs(redis, queue_name: str, function_path: str, argument_lists: list[tuple]) -> None:
    """Enqueue many jobs in pipelined chunks, as fast as Redis takes them."""
    queue = Queue(queue_name, connection=redis)
    for start in range(0, len(argument_lists), ENQUEUE_CHUNK):
        with redis.pipeline() as pipeline:
            datas = [Queue.prepare_data(function_path, args=arguments, result_ttl=JOB_RESULT_TTL_SECONDS)
                     for arguments in argument_lists[start:start + ENQUEUE_CHUNK]]
            queue.enqueue_many(datas, pipeline=pipeline)
            pipeline.execute()


def drain_rate(times: list[float]) -> float | None:
    """Return messages per second between the first and the last of a list of arrival times."""
    if len(times) < 2:
        return None
    ordered = sorted(times)
    return (len(ordered) - 1) / (ordered[-1] - ordered[0])


def run_outbox_drain(services: BenchServices, provider: FakeProvider, latency_ms: float, plan: dict) -> dict:
    services.reset()
    provider.reset()
    provider.set_latency(latency_ms)
    message_ids = store_outbox(services, plan["messages"])
    redis = services.redis()
    queue_name, function_path = JOBS["send_message"]
    enqueue_jobs(redis, queue_name, function_path, [(message_id,) for message_id in message_ids])

    workers = RqWorkers(services.env(provider_url=provider.url), services.redis_url, count=WORKERS)
    try:
        workers.wait_until_registered(redis)
        cpu_before = workers.cpu_seconds()
        started = time.monotonic()
        progress = Progress(f"drain at {latency_ms:g} ms", total=len(message_ids), unit=" messages")
        while time.monotonic() - started < plan["window_seconds"]:
            count = provider.count()
            progress.update(count)
            if count >= len(message_ids):
                break
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        worker_cpu = workers.cpu_seconds() - cpu_before
        command = " ".join(workers.command)
    finally:
        workers.stop()
        redis.close()
    times = provider.arrival_times()
    progress.finish(f"{len(times)} sent")
    rate = drain_rate(times)
    return {"latency_ms": latency_ms, "queued": len(message_ids), "sent": len(times),
            "finished": len(times) >= len(message_ids), "window_s": round(elapsed, 1),
            "messages_per_second": round(rate, 1) if rate else None,
            "worker_cpu_ms_per_message": round(worker_cpu / len(times) * 1000, 2) if times else None,
            "first_arrival_after_start_s": round(min(times) - started, 2) if times else None,
            "worker_command": command}


def add_limited_phone(services: BenchServices, provider: FakeProvider, per_hour: int) -> None:
    """Send the area's SMS through a gateway phone at the fake provider, limited to per_hour texts an hour."""
    from sqlalchemy.orm import Session

    from db.areas import get_default_area
    from db.base import utcnow
    from db.channels import KIND_SMSGATE, PURPOSE_SMS_OUT, ChannelProvider, set_channel

    with Session(services.engine) as session:
        phone = ChannelProvider(name="bench-phone", kind=KIND_SMSGATE, api_base_url=provider.url,
                                account_env=GATEWAY_USER_ENV, secret_env=GATEWAY_PASSWORD_ENV,
                                max_per_hour=per_hour, created_at=utcnow(), updated_at=utcnow())
        session.add(phone)
        session.flush()
        set_channel(session, get_default_area(session).id, PURPOSE_SMS_OUT, phone, None)
        session.commit()


def outbox_statuses(services: BenchServices) -> dict[str, int]:
    from sqlalchemy import func

    from db.messages import DIRECTION_OUT, Message

    with services.engine.connect() as connection:
        return dict(connection.execute(
            select(Message.status, func.count()).where(Message.direction == DIRECTION_OUT).group_by(Message.status)
        ).all())


def run_gateway_limit(services: BenchServices, provider: FakeProvider, plan: dict) -> dict:
    """Queue more texts than the phone may send in an hour; return what reached it and what waits."""
    from db.messages import STATUS_QUEUED, STATUS_SENDING

    limit = plan.get("gateway_limit", GATEWAY_LIMIT_PER_HOUR)
    services.reset()
    provider.reset()
    provider.set_latency(0)
    add_limited_phone(services, provider, limit)
    message_ids = store_outbox(services, plan["gateway_messages"])
    redis = services.redis()
    queue_name, function_path = JOBS["send_message"]
    enqueue_jobs(redis, queue_name, function_path, [(message_id,) for message_id in message_ids])

    workers = RqWorkers(services.env(provider_url=provider.url), services.redis_url, count=WORKERS)
    statuses = {}
    try:
        workers.wait_until_registered(redis)
        started = time.monotonic()
        progress = Progress("gateway phone", total=len(message_ids), unit=" rows decided")
        while time.monotonic() - started < plan["gateway_window_seconds"]:
            statuses = outbox_statuses(services)
            undecided = statuses.get(STATUS_QUEUED, 0) + statuses.get(STATUS_SENDING, 0)
            progress.update(len(message_ids) - undecided)
            if undecided == 0:
                break
            time.sleep(0.25)
        elapsed = time.monotonic() - started
    finally:
        workers.stop()
        redis.close()
    statuses = outbox_statuses(services)
    arrived = provider.count()
    progress.finish(f"{arrived} reached the phone")
    accounted = statuses.get("sent", 0) + statuses.get("retrying", 0)
    return {"limit_per_hour": limit, "queued": len(message_ids), "arrived": arrived,
            "statuses": statuses, "window_s": round(elapsed, 1),
            "respected": arrived <= limit and accounted == len(message_ids)}


def run_noop_drain(services: BenchServices, plan: dict) -> dict:
    """Return how fast the two workers drain do-nothing jobs: RQ's own ceiling with this worker command."""
    services.reset()
    redis = services.redis()
    count = plan["noop_jobs"]
    enqueue_jobs(redis, SEND_QUEUE, "bench.reference_jobs.noop", [(index,) for index in range(count)])
    registry = FinishedJobRegistry(SEND_QUEUE, connection=redis)
    workers = RqWorkers(services.env(), services.redis_url, count=WORKERS)
    samples = []

    try:
        workers.wait_until_registered(redis)
        started = time.monotonic()
        progress = Progress("do-nothing jobs", total=count, unit=" jobs")
        while time.monotonic() - started < plan["noop_window_seconds"]:
            finished = registry.count
            samples.append((time.monotonic(), finished))
            progress.update(finished)
            if finished >= count:
                break
            time.sleep(0.1)
    finally:
        workers.stop()
        redis.close()
    progress.finish()

    # The rate runs from the first sample with a finished job, so the workers' start does not count.
    started_samples = [(at, done) for at, done in samples if done > 0]
    rate = None
    if len(started_samples) >= 2:
        (first_at, first_done), (last_at, last_done) = started_samples[0], started_samples[-1]
        rate = (last_done - first_done) / (last_at - first_at) if last_at > first_at else None
    return {"jobs": count, "finished": samples[-1][1] if samples else 0,
            "jobs_per_second": round(rate, 1) if rate else None}


async def _post_back_to_back(url: str, connections: int, seconds: float) -> list[float]:
    """POST messages to the fake provider over `connections` connections for `seconds`; return response times."""
    answered = []
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    form = {"To": "+38345100000", "From": HOTLINE_NUMBER, "Body": "provider bound"}
    async with aiohttp.ClientSession(headers={"Authorization": f"Basic {credentials}"}) as session:
        deadline = time.monotonic() + seconds

        async def one_connection():
            while time.monotonic() < deadline:
                async with session.post(f"{url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", data=form) as answer:
                    await answer.read()
                answered.append(time.monotonic())

        await asyncio.gather(*(one_connection() for _ in range(connections)))
    return answered


def run_provider_bound(provider: FakeProvider, latency_ms: float, seconds: float) -> dict:
    provider.reset()
    provider.set_latency(latency_ms)
    connections = WORKERS * SEND_BATCH_SIZE
    answered = asyncio.run(_post_back_to_back(provider.url, connections, seconds))
    rate = drain_rate(answered)
    return {"latency_ms": latency_ms, "connections": connections,
            "messages_per_second": round(rate, 1) if rate else None,
            "target_rate": round(min(rate, TARGET_RATE), 1) if rate else None}


def run(quick: bool = False, services: BenchServices | None = None, plan: dict | None = None) -> dict:
    """Measure the figure; `services` and `plan` let the smoke test run it on its own database with tiny counts."""
    plan = plan or (QUICK_PLAN if quick else DEFAULT_PLAN)
    own_services = services is None
    services = services or BenchServices("drain")
    provider = None
    cases = []
    try:
        provider = FakeProvider()
        say("drain: RQ's own ceiling with do-nothing jobs")
        noop = run_noop_drain(services, plan)
        for latency_ms in LATENCIES_MS:
            say(f"drain: {plan['messages']} queued messages, provider latency {latency_ms} ms")
            bound = run_provider_bound(provider, latency_ms, plan["provider_seconds"])
            drain = run_outbox_drain(services, provider, latency_ms, plan)
            drain["provider_bound"] = bound
            drain["to_provider_bound"] = ratio(drain["messages_per_second"], bound["target_rate"])
            drain["to_noop_jobs"] = ratio(drain["messages_per_second"], noop["jobs_per_second"])
            cases.append(drain)
        say(f"drain: {plan['gateway_messages']} queued messages through a phone limited to "
            f"{GATEWAY_LIMIT_PER_HOUR} an hour")
        gateway = run_gateway_limit(services, provider, plan)
    finally:
        if provider is not None:
            provider.stop()
        if own_services:
            services.close()

    instant = next(case for case in cases if case["latency_ms"] == 0)
    slow = next(case for case in cases if case["latency_ms"] == 50)
    summary = {
        "instant_messages_per_second": instant["messages_per_second"],
        "latency_50ms_messages_per_second": slow["messages_per_second"],
        "latency_50ms_to_provider_bound": slow["to_provider_bound"],
        "instant_to_noop_jobs": instant["to_noop_jobs"],
        "gateway_limit_respected": gateway["respected"],
        # The workers keep up with the provider when the drain at 50 ms reaches 90 % of the capped
        # provider bound. With no latency they must still send 100 messages a second.
        "target_met": bool((slow["to_provider_bound"] or 0) >= 0.9 and (instant["messages_per_second"] or 0) >= 100
                           and gateway["respected"]),
    }
    return {"figure": "drain", "quick": quick, "plan": plan, "workers": WORKERS, "noop_jobs": noop,
            "cases": cases, "gateway": gateway, "summary": summary}


def main(argv: list[str] | None = None) -> None:
    options = parse_options("Figure 3: outbox drain through the fake provider by two RQ workers.", argv)
    result = run(quick=options.quick)
    path = save_result("drain", result, options.output)
    summary = result["summary"]
    say(f"drain: {summary['instant_messages_per_second']} messages/s instant, "
        f"{summary['latency_50ms_messages_per_second']} at 50 ms; written to {path}")


if __name__ == "__main__":
    main()
