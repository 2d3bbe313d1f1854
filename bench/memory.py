"""Figure 5: resident memory (RSS) of web workers and RQ workers, at rest and after load.

The product and the bare Flask reference run under gunicorn with the
Procfile's web settings; two RQ workers run the Procfile's worker command.
"At rest" is right after start, before any request. The load is the
capacity run's shape: a closed loop, then fixed rates of 100 and 300 a
second. The RQ workers then work off the jobs those webhooks enqueued for a
bounded time, while their memory and that of any work horse they fork is
sampled.

    python -m bench.memory [--quick]
"""

import time

from bench import loadgen
from bench.capacity import PACED_MAX_IN_FLIGHT
from bench.common import Progress, parse_options, ratio, save_result, say
from bench.fake_provider import FakeProvider
from bench.processes import PRODUCT_APP, RqWorkers, WebServer, child_pids, rss_mb
from bench.services import AUTH_TOKEN, BenchServices, free_port

WEB_LIMIT_MB = 150
DEFAULT_PLAN = {"max_seconds": 10.0, "paced_seconds": 8.0, "grace_seconds": 5.0, "worker_seconds": 30.0}
QUICK_PLAN = {"max_seconds": 2.0, "paced_seconds": 1.0, "grace_seconds": 1.0, "worker_seconds": 5.0}


def load_server(server: WebServer, plan: dict, first_number: int) -> int:
    """Send the capacity run's shape of load; return how many webhooks got a response."""
    url = server.url + "/twilio/sms"
    requests = loadgen.build_sms_requests(server.url, AUTH_TOKEN, 30_000, first_number=first_number,
                                          run_label=f"m{server.name[:3]}")
    answered = loadgen.run(loadgen.closed_loop(url, requests, 32, plan["max_seconds"],
                                               label=f"memory load {server.name} max")).ok
    used = answered
    for rate in (100, 300):
        count = int(rate * plan["paced_seconds"])
        result = loadgen.run(loadgen.paced(url, requests[used:used + count], rate, plan["paced_seconds"],
                                           PACED_MAX_IN_FLIGHT, grace=plan["grace_seconds"], label=f"memory load {server.name} {rate}/s"))
        used += count
        answered += result.ok
    return answered


def sample_workers(workers: RqWorkers, seconds: float) -> dict:
    """Let the workers run for `seconds`, sampling the RSS of the workers and of their work horses."""
    peak_worker, peak_horse = 0.0, 0.0
    progress = Progress("RQ workers at work", total=seconds, unit="s")
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        for pid in workers.pids:
            peak_worker = max(peak_worker, rss_mb(pid) or 0.0)
            for child in child_pids(pid):
                peak_horse = max(peak_horse, rss_mb(child) or 0.0)
        progress.update(round(time.monotonic() - started))
        time.sleep(0.05)
    progress.finish()
    return {"peak_worker_mb": round(peak_worker, 1), "peak_work_horse_mb": round(peak_horse, 1) or None}


def _rounded(values: list[float]) -> list[float]:
    return [round(value, 1) for value in values]


def run(quick: bool = False) -> dict:
    plan = QUICK_PLAN if quick else DEFAULT_PLAN
    services = BenchServices("memory")
    provider = None
    servers: dict[str, WebServer] = {}
    workers = None
    try:
        services.reset()
        provider = FakeProvider()
        for name, target in (("full", PRODUCT_APP), ("bare", "bench.reference_apps:create_bare_app()")):
            port = free_port()
            env = services.env(provider_url=provider.url, public_url=f"http://127.0.0.1:{port}")
            servers[name] = WebServer(f"memory-{name}", env, target, port=port)
        workers = RqWorkers(services.env(provider_url=provider.url), services.redis_url, count=2)
        redis = services.redis()
        workers.wait_until_registered(redis)
        redis.close()
        time.sleep(1)

        at_rest = {name: _rounded(server.worker_rss_mb()) for name, server in servers.items()}
        at_rest["rq_worker"] = _rounded(workers.rss_mb())
        say(f"memory at rest (MB): {at_rest}")

        answered = {}
        for index, (name, server) in enumerate(servers.items()):
            answered[name] = load_server(server, plan, first_number=index * 100_000)
        after_load = {name: _rounded(server.worker_rss_mb()) for name, server in servers.items()}
        work = sample_workers(workers, plan["worker_seconds"])
        after_load["rq_worker"] = _rounded(workers.rss_mb())
        say(f"memory after load (MB): {after_load}")
        commands = {"web": " ".join(servers["full"].command), "worker": " ".join(workers.command)}
    finally:
        if workers is not None:
            workers.stop()
        for server in servers.values():
            server.stop()
        if provider is not None:
            provider.stop()
        services.close()

    full_after = max(after_load["full"]) if after_load["full"] else None
    summary = {
        "web_worker_at_rest_mb": max(at_rest["full"]) if at_rest["full"] else None,
        "web_worker_after_load_mb": full_after,
        "bare_worker_after_load_mb": max(after_load["bare"]) if after_load["bare"] else None,
        "web_to_bare_after_load": ratio(full_after, max(after_load["bare"]) if after_load["bare"] else None),
        "rq_worker_at_rest_mb": max(at_rest["rq_worker"]) if at_rest["rq_worker"] else None,
        "rq_worker_after_work_mb": max(after_load["rq_worker"]) if after_load["rq_worker"] else None,
        "rq_peak_mb": work,
        "target_met": bool(full_after is not None and full_after < WEB_LIMIT_MB),
    }
    return {"figure": "memory", "quick": quick, "plan": plan, "at_rest_mb": at_rest, "after_load_mb": after_load,
            "webhooks_answered": answered, "summary": summary, "commands": commands}


def main(argv: list[str] | None = None) -> None:
    options = parse_options("Figure 5: resident memory of web and RQ workers at rest and after load.", argv)
    result = run(quick=options.quick)
    path = save_result("memory", result, options.output)
    summary = result["summary"]
    say(f"memory: web worker {summary['web_worker_at_rest_mb']} MB at rest, {summary['web_worker_after_load_mb']} MB "
        f"after load; RQ worker {summary['rq_worker_after_work_mb']} MB; written to {path}")


if __name__ == "__main__":
    main()
