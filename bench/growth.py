"""Figure 4: the webhook and the routing job on an empty database and on a year of history.

Two databases side by side: "empty" contains the default world (one area,
20 volunteers) and "grown" contains 100,000 requests, 1,000 volunteers and 10,000
citizens with their events, offers and messages (bench/seed.py). Each round
measures both in turn, so a change in the machine's load hits both alike:

- the webhook: the product under gunicorn with the Procfile's settings, at
  a fixed 50 requests a second (p50, p99) and in a closed loop (maximum);
- the conversation job: process_inbound run in this process for stored
  SMS from new citizens. Each SMS requests a delivery in one message. The
  webhook only stores the message, and this job does the rest;
- the routing job: route_request run in this process for new requests.

The hot queries of the webhook, both jobs, the send job and the
sweeper are then captured on the grown database and explained (EXPLAIN),
and each plan is checked for sequential scans of tables beyond a few
thousand rows.

    python -m bench.growth [--quick]
"""

import json
import logging
import statistics
import time
from contextlib import contextmanager

from sqlalchemy import event, select, text

from bench import loadgen
from bench.common import Progress, parse_options, ratio, save_result, say
from bench.fake_provider import FakeProvider
from bench.processes import WebServer
from bench.seed import SEED_STATEMENTS, seed_history
from bench.services import AUTH_TOKEN, HOTLINE_NUMBER, BenchServices, free_port

WEBHOOK_RATE = 50
# A sequential scan of a table this small costs less than an index lookup; the planner is right to choose it.
SMALL_TABLE_ROWS = 5000

DEFAULT_PLAN = {"requests": 100_000, "volunteers": 1000, "citizens": 10_000, "rounds": 2, "paced_seconds": 8.0,
                "max_seconds": 6.0, "routing_jobs": 60}
QUICK_PLAN = {"requests": 5000, "volunteers": 200, "citizens": 1000, "rounds": 1, "paced_seconds": 2.0,
              "max_seconds": 2.0, "routing_jobs": 10}


class Database:
    """One of the two databases, with its server and its worker context for in-process jobs."""

    def __init__(self, name: str, services: BenchServices, provider: FakeProvider):
        from gateway.settings import load_settings
        from workers.context import build_context

        self.name = name
        self.services = services
        port = free_port()
        self.env = services.env(provider_url=provider.url, public_url=f"http://127.0.0.1:{port}")
        self.server = WebServer(f"growth-{name}", self.env, port=port)
        self.redis = services.redis()
        self.context = build_context(load_settings(_settings_env(self.env)), self.redis)

    def close(self) -> None:
        self.server.stop()
        self.context.database.dispose()
        self.redis.close()


def _settings_env(env: dict) -> dict:
    names = ("DATABASE_URL", "REDIS_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_BASE_URL",
             "PUBLIC_URL", "HOTLINE_INSTANCE_DIR")
    return {name: env[name] for name in names if name in env}


@contextmanager
def installed(context):
    from workers.context import use_context

    use_context(context)
    try:
        yield
    finally:
        use_context(None)


def create_requests(database: Database, count: int, first_number: int) -> list[int]:
    """Store `count` new delivery requests from new citizens, as the webhook would; return their ids."""
    from db.areas import get_default_area
    from db.directory import get_or_create_citizen
    from db.lifecycle import create_request

    ids = []
    with database.context.database.session() as session:
        area = get_default_area(session)
        for index in range(count):
            citizen = get_or_create_citizen(session, area.id, loadgen.citizen_phone(first_number + index))
            citizen.locale = ("sr_Latn", "sq", "en")[index % 3]
            ids.append(create_request(session, citizen, "delivery", "mleko i hleb").id)
    return ids


def time_routing(database: Database, count: int, first_number: int) -> list[float]:
    """Return the seconds route_request takes for each of `count` new requests."""
    from workers.routing import route_request

    request_ids = create_requests(database, count, first_number)
    return _time_each(database, route_request, request_ids, expected="offered")


def time_conversations(database: Database, count: int, first_number: int) -> list[float]:
    """Return the seconds process_inbound takes for each of `count` stored SMS from new citizens."""
    from ivr_flows.sms_inbound import InboundSms, handle_inbound_sms
    from workers.inbound import process_inbound

    with database.context.database.session() as session:
        message_ids = [
            handle_inbound_sms(session, InboundSms(
                provider_sid=f"SMgrowth{first_number + index}", from_number=loadgen.citizen_phone(first_number + index),
                to_number=HOTLINE_NUMBER, body=loadgen.REQUEST_TEXTS[index % len(loadgen.REQUEST_TEXTS)],
            )).message_id
            for index in range(count)
        ]
    return _time_each(database, process_inbound, message_ids, expected=1)


def _time_each(database: Database, job, ids: list[int], expected) -> list[float]:
    """Run the job in this process for each id; return the seconds of each run."""
    durations = []
    with installed(database.context):
        for job_id in ids:
            started = time.perf_counter()
            outcome = job(job_id)
            durations.append(time.perf_counter() - started)
            if outcome != expected:
                raise RuntimeError(f"{job.__name__}({job_id}) on the {database.name} database returned {outcome}")
    return durations


def time_sweeps(database: Database, count: int) -> list[float]:
    """Return the seconds of `count` sweeps in a row; the first may still find work, the rest only look."""
    from workers.sweeper import sweep

    durations = []
    with installed(database.context):
        for _ in range(count):
            started = time.perf_counter()
            sweep()
            durations.append(time.perf_counter() - started)
    return durations


def measure_webhook(database: Database, plan: dict, first_number: int, label: str) -> dict:
    url = database.server.url
    paced_count = int(WEBHOOK_RATE * plan["paced_seconds"])
    requests = loadgen.build_sms_requests(url, AUTH_TOKEN, paced_count, first_number=first_number,
                                          run_label=f"gp{label}")
    paced = loadgen.run(loadgen.paced(url + "/twilio/sms", requests, WEBHOOK_RATE, plan["paced_seconds"],
                                      label=f"{WEBHOOK_RATE}/s {database.name}"))
    requests = loadgen.build_sms_requests(url, AUTH_TOKEN, 20_000, first_number=first_number + paced_count,
                                          run_label=f"gm{label}")
    closed = loadgen.run(loadgen.closed_loop(url + "/twilio/sms", requests, 32, plan["max_seconds"],
                                             label=f"max {database.name}"))
    return {"paced": paced.summary(), "max": closed.summary()}


def seed_grown(services: BenchServices, plan: dict) -> dict:
    from db.areas import ServiceArea

    with services.engine.connect() as connection:
        area_id = connection.execute(select(ServiceArea.id)).scalars().first()
    progress = Progress("seeding the grown database", total=len(SEED_STATEMENTS), unit=" statements")
    counts = seed_history(services.engine, area_id, HOTLINE_NUMBER, plan["requests"], plan["volunteers"],
                          plan["citizens"], progress)
    progress.finish(json.dumps(counts))
    return counts


# -- Query plans ------------------------------------------------------------------------------------------------


class StatementRecorder:
    """Collect the statements an engine executes, with their parameters and the step that ran them."""

    def __init__(self):
        self.step = ""
        self.seen: dict[str, dict] = {}

    def attach(self, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._record)

    def detach(self, engine) -> None:
        event.remove(engine, "before_cursor_execute", self._record)

    def _record(self, _connection, _cursor, statement, parameters, _context, executemany):
        if not statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            return
        if executemany and isinstance(parameters, (list, tuple)):
            parameters = parameters[0] if parameters else {}
        entry = self.seen.setdefault(statement, {"steps": [], "parameters": parameters})
        if self.step not in entry["steps"]:
            entry["steps"].append(self.step)


def capture_hot_statements(database: Database, provider: FakeProvider) -> StatementRecorder:
    """Run a webhook, a status question, the routing job, one send and one sweep; record their statements."""
    from gateway import create_app
    from workers.inbound import process_inbound
    from workers.routing import route_request
    from workers.sending import send_message
    from workers.sweeper import sweep
    from db.messages import STATUS_QUEUED, Message

    recorder = StatementRecorder()
    app = create_app(_settings_env(database.env))
    app_engine = app.extensions["hotline.db"].engine
    job_engine = database.context.database.engine
    recorder.attach(app_engine)
    recorder.attach(job_engine)
    try:
        client = app.test_client()
        public_url = database.env["PUBLIC_URL"]
        recorder.step = "webhook"
        new_request = loadgen.build_sms_requests(public_url, AUTH_TOKEN, 1, first_number=1_900_000,
                                                 run_label="plan")[0]
        client.post("/twilio/sms", data=new_request.body, headers=new_request.headers)
        with installed(database.context):
            recorder.step = "process_inbound"
            process_inbound(_last_inbound_id(database))
        recorder.step = "webhook STATUS"
        status = loadgen.build_sms_requests(public_url, AUTH_TOKEN, 1, first_number=1_900_000, run_label="plan2",
                                            texts=("STATUS",))[0]
        client.post("/twilio/sms", data=status.body, headers=status.headers)
        with installed(database.context):
            recorder.step = "process_inbound STATUS"
            process_inbound(_last_inbound_id(database))

        # Looked up through the services' own engine, which the recorder does not watch.
        with database.services.engine.connect() as connection:
            request_id = connection.scalar(text("SELECT max(id) FROM help_requests"))
        with installed(database.context):
            recorder.step = "route_request"
            route_request(request_id)
            with database.services.engine.connect() as connection:
                message_id = connection.scalar(select(Message.id).where(Message.status == STATUS_QUEUED)
                                               .order_by(Message.id.desc()).limit(1))
            recorder.step = "send_message"
            send_message(message_id)
            recorder.step = "sweep"
            sweep()
    finally:
        recorder.detach(app_engine)
        recorder.detach(job_engine)
        app.extensions["hotline.db"].dispose()
    return recorder


def _last_inbound_id(database: Database) -> int:
    """Return the id of the newest inbound message, read through the engine the recorder does not watch."""
    from db.messages import DIRECTION_IN, Message

    with database.services.engine.connect() as connection:
        return connection.scalar(select(Message.id).where(Message.direction == DIRECTION_IN)
                                 .order_by(Message.id.desc()).limit(1))


def explain_statements(database: Database, recorder: StatementRecorder) -> list[dict]:
    """EXPLAIN every recorded statement (without running it) and judge its table access."""
    engine = database.context.database.engine
    with engine.connect() as connection:
        tables = connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        table_rows = {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                      for table in tables}
        plans = []
        for statement, entry in recorder.seen.items():
            raw = connection.connection.dbapi_connection
            with raw.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + statement, entry["parameters"])
                plan = cursor.fetchone()[0][0]["Plan"]
                cursor.execute("EXPLAIN " + statement, entry["parameters"])
                plan_text = [row[0] for row in cursor.fetchall()]
            scans = list(_scans(plan))
            plans.append({
                "steps": entry["steps"],
                "statement": " ".join(statement.split()),
                "scans": [_describe_scan(scan, table_rows) for scan in scans],
                "verdict": _verdict(scans, table_rows),
                "plan": plan_text,
            })
        connection.rollback()
    return plans


def _scans(node: dict):
    if "Relation Name" in node or node["Node Type"].endswith("Index Scan"):
        yield node
    for child in node.get("Plans", []):
        yield from _scans(child)


def _describe_scan(node: dict, table_rows: dict) -> str:
    table = node.get("Relation Name", "")
    kind = node["Node Type"]
    if kind == "ModifyTable":
        return f"{node.get('Operation', 'Modify')} on {table}"
    if "Index Name" in node:
        return f"{kind} using {node['Index Name']}" + (f" on {table}" if table else "")
    return f"{kind} on {table} ({table_rows.get(table, 0):,} rows)"


def _verdict(scans: list[dict], table_rows: dict) -> str:
    big_sequential = [scan["Relation Name"] for scan in scans
                      if scan["Node Type"] == "Seq Scan" and table_rows.get(scan["Relation Name"], 0) > SMALL_TABLE_ROWS]
    if big_sequential:
        return "SEQUENTIAL SCAN of " + ", ".join(sorted(set(big_sequential)))
    if any(scan["Node Type"] == "Seq Scan" for scan in scans):
        return "index, or a small table read whole"
    if all(scan["Node Type"] == "ModifyTable" for scan in scans):
        return "no table read"
    return "index"


# -- The figure -------------------------------------------------------------------------------------------------


def run(quick: bool = False) -> dict:
    plan = QUICK_PLAN if quick else DEFAULT_PLAN
    empty_services = BenchServices("growth_empty")
    grown_services = BenchServices("growth_grown")
    provider = FakeProvider()
    databases = {}
    try:
        empty_services.reset()
        grown_services.reset(volunteers=0)
        counts = seed_grown(grown_services, plan)
        databases = {"empty": Database("empty", empty_services, provider),
                     "grown": Database("grown", grown_services, provider)}
        # Warm both servers and connection pools before anything is timed.
        for database in databases.values():
            requests = loadgen.build_sms_requests(database.server.url, AUTH_TOKEN, 100, first_number=1_500_000,
                                                  run_label="warm")
            loadgen.run(loadgen.closed_loop(database.server.url + "/twilio/sms", requests, 8, 30,
                                            label=f"warm-up {database.name}"))
            time_conversations(database, 3, 1_650_000)
            time_routing(database, 3, 1_600_000)

        webhook = {name: [] for name in databases}
        conversation = {name: [] for name in databases}
        routing = {name: [] for name in databases}
        sweeps = {name: time_sweeps(database, 3)[1:] for name, database in databases.items()}
        for round_index in range(plan["rounds"]):
            say(f"growth: round {round_index + 1} of {plan['rounds']}")
            for name, database in databases.items():
                first = 200_000 * (round_index + 1)
                webhook[name].append(measure_webhook(database, plan, first, f"{name[0]}{round_index}"))
                conversation[name] += time_conversations(database, plan["routing_jobs"], first + 50_000)
                routing[name] += time_routing(database, plan["routing_jobs"], first + 100_000)

        say("growth: capturing and explaining the hot queries on the grown database")
        recorder = capture_hot_statements(databases["grown"], provider)
        plans = explain_statements(databases["grown"], recorder)
    finally:
        for database in databases.values():
            database.close()
        provider.stop()
        empty_services.close()
        grown_services.close()

    result = {"figure": "growth", "quick": quick, "plan": plan, "grown_rows": counts, "webhook_rate": WEBHOOK_RATE,
              "webhook": webhook,
              "conversation": {name: _routing_summary(values) for name, values in conversation.items()},
              "routing": {name: _routing_summary(values) for name, values in routing.items()},
              "sweep_ms": {name: [round(value * 1000, 1) for value in values] for name, values in sweeps.items()},
              "plans": plans}
    result["summary"] = summarize(result)
    return result


def _routing_summary(durations: list[float]) -> dict:
    return {"jobs": len(durations), "median_ms": round(statistics.median(durations) * 1000, 2),
            "mean_ms": round(statistics.fmean(durations) * 1000, 2)}


def summarize(result: dict) -> dict:
    def best(name, shape, key):
        # The best round is the one the rest of the machine disturbed least.
        values = [run[shape][key] for run in result["webhook"][name] if run[shape][key] is not None]
        if not values:
            return None
        return max(values) if key == "throughput_rps" else min(values)

    empty_p50, grown_p50 = best("empty", "paced", "p50_ms"), best("grown", "paced", "p50_ms")
    empty_max, grown_max = best("empty", "max", "throughput_rps"), best("grown", "max", "throughput_rps")
    routing = result["routing"]
    summary = {
        "webhook_p50_ms": {"empty": empty_p50, "grown": grown_p50},
        "webhook_p50_slowdown": ratio(grown_p50, empty_p50),
        "webhook_p99_ms": {"empty": best("empty", "paced", "p99_ms"), "grown": best("grown", "paced", "p99_ms")},
        "webhook_max_rps": {"empty": empty_max, "grown": grown_max},
        "webhook_throughput_ratio": ratio(grown_max, empty_max),
        "conversation_median_ms": {name: result["conversation"][name]["median_ms"] for name in result["conversation"]},
        "conversation_slowdown": ratio(result["conversation"]["grown"]["median_ms"],
                                       result["conversation"]["empty"]["median_ms"]),
        "routing_median_ms": {name: routing[name]["median_ms"] for name in routing},
        "routing_slowdown": ratio(routing["grown"]["median_ms"], routing["empty"]["median_ms"]),
        "sweep_ms": {name: min(values) for name, values in result["sweep_ms"].items()},
        "statements_explained": len(result["plans"]),
        "statements_with_big_sequential_scan": sum(plan["verdict"].startswith("SEQUENTIAL") for plan in result["plans"]),
    }
    summary["sweep_slowdown"] = ratio(summary["sweep_ms"]["grown"], summary["sweep_ms"]["empty"])
    summary["target_met"] = bool(
        summary["webhook_p50_slowdown"] is not None and summary["webhook_p50_slowdown"] < 1.10
        and summary["conversation_slowdown"] is not None and summary["conversation_slowdown"] < 1.10
        and summary["routing_slowdown"] is not None and summary["routing_slowdown"] < 1.10
        and summary["statements_with_big_sequential_scan"] == 0
    )
    return summary


def main(argv: list[str] | None = None) -> None:
    options = parse_options("Figure 4: webhook and routing job on an empty and a grown database, with EXPLAIN.", argv)
    # The jobs run in this process; their warnings (such as an area without a coordinator phone) would bury the
    # progress lines.
    logging.basicConfig(level=logging.ERROR)
    result = run(quick=options.quick)
    path = save_result("growth", result, options.output)
    summary = result["summary"]
    say(f"growth: webhook p50 x{summary['webhook_p50_slowdown']}, conversation x{summary['conversation_slowdown']}, "
        f"routing x{summary['routing_slowdown']}, "
        f"{summary['statements_with_big_sequential_scan']} of {summary['statements_explained']} statements scan a "
        f"big table; written to {path}")


if __name__ == "__main__":
    main()
