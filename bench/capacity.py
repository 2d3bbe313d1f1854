"""Figure 1: inbound webhook capacity of the product against two references under the same gunicorn.

Three gunicorn servers run side by side with the Procfile's web settings:
the product (gateway:create_app()), the bare Flask reference and the
skeleton reference (bench/reference_apps.py). Each step of the run goes
through the three in turn, so a change in the machine's load hits all three
alike. The RQ workers do not run: jobs wait in Redis, so the web servers
have the two cores to themselves (with PostgreSQL, Redis and the generator).

    python -m bench.capacity [--quick]
"""

import subprocess
import sys
import time

from bench import loadgen
from bench.common import parse_options, ratio, save_result, say
from bench.processes import PRODUCT_APP, WebServer
from bench.services import AUTH_TOKEN, BenchServices, free_port, wait_for_port

TARGETS = {
    "bare": "bench.reference_apps:create_bare_app()",
    "skeleton": "bench.reference_apps:create_skeleton_app()",
    "full": PRODUCT_APP,
}
PACED_RATES = (100, 300, 1000)
# Enough connections to keep gunicorn's 2 x 4 threads busy while responses travel back.
CLOSED_LOOP_CONNECTIONS = 32
PACED_MAX_IN_FLIGHT = 256
# Requests a second that no server here reaches: a closed-loop step gets this many per second of its duration.
MAX_EXPECTED_RATE = 20_000

DEFAULT_PLAN = {"max_rounds": 2, "max_seconds": 8.0, "paced_seconds": 8.0, "grace_seconds": 5.0,
                "warmup_requests": 200, "ceiling_seconds": 5.0, "pause_seconds": 2.0}
QUICK_PLAN = {"max_rounds": 1, "max_seconds": 2.0, "paced_seconds": 1.0, "grace_seconds": 1.0,
              "warmup_requests": 20, "ceiling_seconds": 1.0, "pause_seconds": 0.2}
# A server counts as idle again below this CPU use (in cores), after a step it could not keep up with.
IDLE_CPU_CORES = 0.1
IDLE_WAIT_SECONDS = 60


class RequestSource:
    """Builds signed webhooks with fresh MessageSids and senders for each step."""

    def __init__(self):
        self.next_number = 0
        self.steps = 0

    def take(self, server: WebServer, count: int) -> list:
        self.steps += 1
        requests = loadgen.build_sms_requests(server.url, AUTH_TOKEN, count, first_number=self.next_number,
                                              run_label=f"{server.name[:4]}{self.steps:03d}")
        self.next_number += count
        return requests


def start_servers(services: BenchServices, targets: dict) -> dict[str, WebServer]:
    servers = {}
    try:
        for name, target in targets.items():
            port = free_port()
            # PUBLIC_URL is the server's own address, which the signatures cover.
            env = services.env(public_url=f"http://127.0.0.1:{port}")
            servers[name] = WebServer(name, env, target, port=port)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: dict[str, WebServer]) -> None:
    for server in servers.values():
        server.stop()


def measure_generator_ceiling(seconds: float) -> dict:
    """Return the generator's own maximum: the closed loop against a server that does almost nothing."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.trivial_server", str(port)])
    try:
        wait_for_port(port, timeout=10, process=server)
        url = f"http://127.0.0.1:{port}"
        requests = loadgen.build_sms_requests(url, AUTH_TOKEN, int(seconds * MAX_EXPECTED_RATE), run_label="ceil")
        result = loadgen.run(loadgen.closed_loop(url + "/twilio/sms", requests, CLOSED_LOOP_CONNECTIONS, seconds,
                                                 label="generator ceiling"))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return result.summary()


def run_max_throughput(servers: dict, source: RequestSource, plan: dict) -> dict:
    rounds: dict[str, list] = {name: [] for name in servers}
    for round_index in range(plan["max_rounds"]):
        for name, server in servers.items():
            # More requests than the duration allows; the duration ends the step.
            requests = source.take(server, int(plan["max_seconds"] * MAX_EXPECTED_RATE))
            cpu_before = server.cpu_seconds()
            result = loadgen.run(loadgen.closed_loop(server.url + "/twilio/sms", requests, CLOSED_LOOP_CONNECTIONS,
                                                     plan["max_seconds"],
                                                     label=f"max {name} round {round_index + 1}"))
            summary = result.summary()
            summary["server_cpu_ms_per_request"] = _cpu_per_request(server.cpu_seconds() - cpu_before, result.ok)
            rounds[name].append(summary)
            time.sleep(plan["pause_seconds"])
    # The best round is the one the rest of the machine disturbed least.
    return {name: {"best": max(results, key=lambda item: item["throughput_rps"]), "rounds": results}
            for name, results in rounds.items()}


def run_paced_rates(servers: dict, source: RequestSource, plan: dict) -> dict:
    paced: dict[str, dict] = {name: {} for name in servers}
    for rate in PACED_RATES:
        for name, server in servers.items():
            count = int(rate * plan["paced_seconds"])
            requests = source.take(server, count)
            cpu_before = server.cpu_seconds()
            result = loadgen.run(loadgen.paced(server.url + "/twilio/sms", requests, rate, plan["paced_seconds"],
                                               PACED_MAX_IN_FLIGHT, plan["grace_seconds"], label=f"{rate}/s {name}"))
            summary = result.summary()
            summary["server_cpu_ms_per_request"] = _cpu_per_request(server.cpu_seconds() - cpu_before, result.ok)
            # Kept up: 99 % of the requests got a response, and the slowest 1 % within a second.
            summary["kept_up"] = bool(result.ok >= 0.99 * count and summary["p99_ms"] is not None
                                      and summary["p99_ms"] < 1000)
            paced[name][str(rate)] = summary
            wait_until_idle(server)
            time.sleep(plan["pause_seconds"])
    return paced


def wait_until_idle(server: WebServer) -> None:
    """Wait while the server still works off requests the generator already gave up on."""
    deadline = time.monotonic() + IDLE_WAIT_SECONDS
    while time.monotonic() < deadline:
        before = server.cpu_seconds()
        time.sleep(0.5)
        if (server.cpu_seconds() - before) / 0.5 < IDLE_CPU_CORES:
            return


def _cpu_per_request(cpu_seconds: float, answered: int) -> float | None:
    return round(cpu_seconds / answered * 1000, 2) if answered else None


def warm_up(servers: dict, source: RequestSource, plan: dict) -> None:
    # The first requests of a worker import modules and open connections.
    for name, server in servers.items():
        requests = source.take(server, plan["warmup_requests"])
        loadgen.run(loadgen.closed_loop(server.url + "/twilio/sms", requests, 8, 30, label=f"warm-up {name}"))


def summarize(max_runs: dict, paced: dict) -> dict:
    best = {name: runs["best"]["throughput_rps"] for name, runs in max_runs.items()}
    p99_300 = {name: paced[name]["300"]["p99_ms"] for name in paced}
    return {
        "max_throughput_rps": best,
        "full_to_skeleton_throughput": ratio(best["full"], best["skeleton"]),
        "full_to_bare_throughput": ratio(best["full"], best["bare"]),
        "skeleton_to_bare_throughput": ratio(best["skeleton"], best["bare"]),
        "p99_at_300_ms": p99_300,
        "full_to_skeleton_p99_at_300": ratio(p99_300["full"], p99_300["skeleton"]),
        "target_throughput_met": bool(best["full"] and best["skeleton"] and best["full"] >= 0.6 * best["skeleton"]),
        "target_p99_met": bool(p99_300["full"] is not None and p99_300["full"] < 25
                               and paced["full"]["300"]["kept_up"]),
    }


def run(quick: bool = False, services: BenchServices | None = None, plan: dict | None = None) -> dict:
    """Measure the figure; `services` and `plan` let the smoke test run it on its own database with tiny counts."""
    plan = plan or (QUICK_PLAN if quick else DEFAULT_PLAN)
    own_services = services is None
    services = services or BenchServices("capacity")
    try:
        services.reset()
        say("capacity: measuring the load generator's own ceiling")
        ceiling = measure_generator_ceiling(plan["ceiling_seconds"])
        servers = start_servers(services, TARGETS)
        try:
            source = RequestSource()
            warm_up(servers, source, plan)
            say("capacity: maximum throughput (closed loop, %d connections)" % CLOSED_LOOP_CONNECTIONS)
            max_runs = run_max_throughput(servers, source, plan)
            say("capacity: fixed rates %s per second" % ", ".join(map(str, PACED_RATES)))
            paced = run_paced_rates(servers, source, plan)
            commands = {name: " ".join(server.command) for name, server in servers.items()}
        finally:
            stop_servers(servers)
    finally:
        if own_services:
            services.close()
    return {"figure": "capacity", "quick": quick, "plan": plan, "generator_ceiling": ceiling,
            "max": max_runs, "paced": paced, "summary": summarize(max_runs, paced), "gunicorn_commands": commands,
            "connections": CLOSED_LOOP_CONNECTIONS, "paced_max_in_flight": PACED_MAX_IN_FLIGHT}


def main(argv: list[str] | None = None) -> None:
    options = parse_options("Figure 1: inbound webhook capacity against a bare Flask app and a minimal skeleton.", argv)
    result = run(quick=options.quick)
    path = save_result("capacity", result, options.output)
    summary = result["summary"]
    say(f"capacity: max {summary['max_throughput_rps']} requests/s; full/skeleton "
        f"{summary['full_to_skeleton_throughput']}; p99 at 300/s {summary['p99_at_300_ms']} ms; written to {path}")


if __name__ == "__main__":
    main()
