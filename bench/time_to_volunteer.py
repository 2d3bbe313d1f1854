"""Figure 2: time from the webhook's response to the volunteer's offer arriving at the (fake) provider.

The product runs as deployed: gunicorn with the Procfile's web settings and
two `rq worker` processes with the Procfile's worker command, against a fake
provider that responds at once. Each request ("HRANA mleko i hleb" and the
like) creates a help request; its route_request job offers it to a wave of
three volunteers, and each offer is one send_message job.

The reference is a chain of two do-nothing RQ jobs through the same two
workers, the second of which POSTs one message to the fake provider
(bench/reference_jobs.py: hop), timed from its enqueue: the least any
two-job path to the provider costs on this machine and this RQ.

The sweeper (hotline scheduler) does not run, so every message leaves
through the jobs the webhook and the routing job enqueued. A few webhooks
warm the workers up before anything is timed: a worker's first jobs import
the job modules and open its connections, which takes over a second.

    python -m bench.time_to_volunteer [--quick]
"""

import time

from rq import Queue
from sqlalchemy import bindparam, text

from bench import loadgen
from bench.common import Progress, parse_options, ratio, save_result, say, summarize_ms
from bench.fake_provider import FakeProvider
from bench.processes import RqWorkers, WebServer
from bench.reference_jobs import HOP_JOB
from bench.services import AUTH_TOKEN, BenchServices, free_port
from workers.queues import ALL_QUEUES, DEFAULT_QUEUE

STEADY_RATE = 10
OFFER_WAVE_SIZE = 3
WARMUP_REQUESTS = 6

DEFAULT_PLAN = {"steady_seconds": 30.0, "burst_requests": 1000, "steady_wait_seconds": 120.0,
                "burst_wait_seconds": 420.0}
QUICK_PLAN = {"steady_seconds": 2.0, "burst_requests": 40, "steady_wait_seconds": 60.0,
              "burst_wait_seconds": 90.0}


def expected_messages(requests: int) -> int:
    """Return the messages that `requests` new help requests send: one confirmation and a wave of offers each."""
    return requests * (1 + OFFER_WAVE_SIZE)


def reference_tag(run: str, index: int) -> str:
    # A recipient number that names the chain, so its arrival can be found.
    return f"+38347{'1' if run == 'burst' else '0'}{index:05d}"


def clear_queues(services: BenchServices, provider: FakeProvider) -> None:
    """Drop jobs a previous step left behind (it ran out of time), so they do not delay the next one."""
    redis = services.redis()
    for name in ALL_QUEUES:
        Queue(name, connection=redis).empty()
    redis.close()
    provider.reset()


def run_reference(services: BenchServices, provider: FakeProvider, run: str, count: int, rate: float | None,
                  wait_seconds: float) -> dict:
    """Enqueue `count` two-hop chains, paced at `rate` per second or all at once, and time each to the provider."""
    clear_queues(services, provider)
    redis = services.redis()
    queue = Queue(DEFAULT_QUEUE, connection=redis)
    enqueued_at = {}
    started = time.monotonic()
    progress = Progress(f"reference {run}", total=count, unit=" chains")
    for index in range(count):
        if rate:
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        tag = reference_tag(run, index)
        enqueued_at[tag] = time.monotonic()
        queue.enqueue(HOP_JOB, 2, provider.url, tag, result_ttl=3600)
        progress.update(index + 1)
    progress.finish()
    provider.wait_for_count(count, wait_seconds, Progress(f"reference {run} arrivals", total=count))
    arrivals = {to: arrived for _kind, to, arrived in provider.arrivals().values()}
    delays = [arrivals[tag] - enqueued for tag, enqueued in enqueued_at.items() if tag in arrivals]
    redis.close()
    return {"chains": count, "arrived": len(delays), **summarize_ms(delays)}


def run_product(services: BenchServices, server: WebServer, workers: RqWorkers, provider: FakeProvider, run: str,
                requests: list, plan: dict) -> dict:
    clear_queues(services, provider)
    cpu_before = workers.cpu_seconds()
    if run == "steady":
        load = loadgen.run(loadgen.paced(server.url + "/twilio/sms", requests, STEADY_RATE, plan["steady_seconds"],
                                         label="product steady webhooks"))
        wait_seconds = plan["steady_wait_seconds"]
    else:
        load = loadgen.run(loadgen.closed_loop(server.url + "/twilio/sms", requests, 32, 600,
                                               label="product burst webhooks"))
        wait_seconds = plan["burst_wait_seconds"]
    expected = expected_messages(load.ok)
    drain_started = time.monotonic()
    arrived = provider.wait_for_count(expected, wait_seconds, Progress(f"product {run} messages", total=expected))
    drain_seconds = time.monotonic() - drain_started
    worker_cpu = workers.cpu_seconds() - cpu_before

    arrivals = provider.arrivals()
    to_offer, to_confirmation = [], []
    missing_offers = 0
    for inbound_sid, first_offer, confirmation in _first_messages(services, list(load.answered_at), arrivals):
        answered = load.answered_at[inbound_sid]
        if first_offer is None:
            missing_offers += 1
        else:
            to_offer.append(first_offer - answered)
        if confirmation is not None:
            to_confirmation.append(confirmation - answered)
    return {
        "webhooks": load.summary(),
        "messages_expected": expected,
        "messages_arrived": arrived,
        "drain_after_last_webhook_s": round(drain_seconds, 2),
        "requests_without_offer": missing_offers,
        "to_first_offer": summarize_ms(to_offer),
        "to_confirmation": summarize_ms(to_confirmation),
        "worker_cpu_seconds": round(worker_cpu, 2),
        "worker_cpu_ms_per_message": round(worker_cpu / arrived * 1000, 2) if arrived else None,
    }


def _first_messages(services: BenchServices, inbound_sids: list[str], arrivals: dict):
    """Yield (inbound sid, first offer arrival, confirmation arrival) for each webhook that got a response."""
    query = text(
        "SELECT inbound.provider_sid, outbound.provider_sid, outbound.kind FROM messages inbound "
        "JOIN messages outbound ON outbound.request_id = inbound.request_id AND outbound.direction = 'out' "
        "WHERE inbound.direction = 'in' AND inbound.provider_sid IN :sids"
    ).bindparams(bindparam("sids", expanding=True))
    rows = []
    with services.engine.connect() as connection:
        for start in range(0, len(inbound_sids), 500):
            rows += connection.execute(query, {"sids": inbound_sids[start:start + 500]}).all()
    offers: dict[str, list[float]] = {sid: [] for sid in inbound_sids}
    confirmations: dict[str, float] = {}
    for inbound_sid, outbound_sid, kind in rows:
        if outbound_sid not in arrivals:
            continue
        arrived = arrivals[outbound_sid][2]
        if kind == "offer":
            offers[inbound_sid].append(arrived)
        elif kind == "received":
            confirmations[inbound_sid] = arrived
    for sid in inbound_sids:
        yield sid, min(offers[sid]) if offers[sid] else None, confirmations.get(sid)


def warm_up(server: WebServer, provider: FakeProvider) -> None:
    """Send a few webhooks and wait for their messages, so both workers have run each kind of job."""
    requests = loadgen.build_sms_requests(server.url, AUTH_TOKEN, WARMUP_REQUESTS, first_number=900_000,
                                          run_label="warm")
    loadgen.run(loadgen.closed_loop(server.url + "/twilio/sms", requests, 2, 60, label="warm-up webhooks"))
    provider.wait_for_count(expected_messages(WARMUP_REQUESTS), 60)


def run(quick: bool = False, services: BenchServices | None = None, plan: dict | None = None) -> dict:
    """Measure the figure; `services` and `plan` let the smoke test run it on its own database with tiny counts."""
    plan = plan or (QUICK_PLAN if quick else DEFAULT_PLAN)
    own_services = services is None
    services = services or BenchServices("volunteer")
    provider = server = workers = None
    try:
        services.reset()
        provider = FakeProvider()
        port = free_port()
        env = services.env(provider_url=provider.url, public_url=f"http://127.0.0.1:{port}")
        server = WebServer("volunteer", env, port=port)
        workers = RqWorkers(env, services.redis_url, count=2)
        redis = services.redis()
        workers.wait_until_registered(redis)
        redis.close()

        warm_up(server, provider)
        steady_count = int(STEADY_RATE * plan["steady_seconds"])
        say(f"time to volunteer: steady {STEADY_RATE}/s for {plan['steady_seconds']:.0f}s")
        reference_steady = run_reference(services, provider, "steady", steady_count, STEADY_RATE,
                                         plan["steady_wait_seconds"])
        steady_requests = loadgen.build_sms_requests(server.url, AUTH_TOKEN, steady_count, run_label="steady")
        product_steady = run_product(services, server, workers, provider, "steady", steady_requests, plan)

        say(f"time to volunteer: burst of {plan['burst_requests']}")
        reference_burst = run_reference(services, provider, "burst", plan["burst_requests"], None,
                                        plan["burst_wait_seconds"])
        burst_requests = loadgen.build_sms_requests(server.url, AUTH_TOKEN, plan["burst_requests"],
                                                    first_number=steady_count, run_label="burst")
        product_burst = run_product(services, server, workers, provider, "burst", burst_requests, plan)
        commands = {"web": " ".join(server.command), "worker": " ".join(workers.command)}
    finally:
        for part in (workers, server, provider):
            if part is not None:
                part.stop()
        if own_services:
            services.close()

    summary = {
        "steady_p50_ms": product_steady["to_first_offer"]["p50_ms"],
        "steady_p95_ms": product_steady["to_first_offer"]["p95_ms"],
        "burst_p50_ms": product_burst["to_first_offer"]["p50_ms"],
        "burst_p95_ms": product_burst["to_first_offer"]["p95_ms"],
        "steady_p95_to_reference": ratio(product_steady["to_first_offer"]["p95_ms"], reference_steady["p95_ms"]),
        "burst_p95_to_reference": ratio(product_burst["to_first_offer"]["p95_ms"], reference_burst["p95_ms"]),
        "target_met": bool(product_steady["to_first_offer"]["p95_ms"] is not None
                           and product_steady["to_first_offer"]["p95_ms"] < 1000
                           and product_steady["requests_without_offer"] == 0),
    }
    return {"figure": "time_to_volunteer", "quick": quick, "plan": plan, "steady_rate": STEADY_RATE,
            "reference": {"steady": reference_steady, "burst": reference_burst},
            "product": {"steady": product_steady, "burst": product_burst}, "summary": summary, "commands": commands}


def main(argv: list[str] | None = None) -> None:
    options = parse_options("Figure 2: time from the webhook's response to the volunteer's offer.", argv)
    result = run(quick=options.quick)
    path = save_result("time_to_volunteer", result, options.output)
    summary = result["summary"]
    say(f"time to volunteer: steady p50/p95 {summary['steady_p50_ms']}/{summary['steady_p95_ms']} ms, burst "
        f"{summary['burst_p50_ms']}/{summary['burst_p95_ms']} ms; written to {path}")


if __name__ == "__main__":
    main()
