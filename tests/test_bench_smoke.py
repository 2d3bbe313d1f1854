"""The benchmark harness on tiny numbers: every webhook and message it sends is accounted for.

Speed is never asserted here; `make bench` measures it. The test starts
gunicorn, `rq worker` and the fake provider as the figures do, so a change
that breaks the harness, the Procfile or the path it measures shows up in
the normal test run.
"""

from bench import drain, time_to_volunteer
from bench.fake_provider import FakeProvider
from bench.services import BenchServices

TINY_VOLUNTEER_PLAN = {"steady_seconds": 1.0, "burst_requests": 10, "steady_wait_seconds": 60.0,
                       "burst_wait_seconds": 60.0}
TINY_DRAIN_PLAN = {"messages": 20, "window_seconds": 60.0, "gateway_messages": 8, "gateway_limit": 5,
                   "gateway_window_seconds": 60.0}


def test_bench_harness_counts_every_message(database_url, redis_url, redis):
    services = BenchServices("smoke", database_url=database_url, redis_url=redis_url)
    provider = FakeProvider()
    try:
        volunteer = time_to_volunteer.run(services=services, plan=TINY_VOLUNTEER_PLAN)
        queued = drain.run_outbox_drain(services, provider, latency_ms=0, plan=TINY_DRAIN_PLAN)
        limited = drain.run_gateway_limit(services, provider, plan=TINY_DRAIN_PLAN)
    finally:
        provider.stop()
        services.close()

    for run in ("steady", "burst"):
        product = volunteer["product"][run]
        assert product["webhooks"]["ok"] == 10, product["webhooks"]["errors"]
        assert product["messages_expected"] == time_to_volunteer.expected_messages(10)
        assert product["messages_arrived"] == product["messages_expected"]
        assert product["requests_without_offer"] == 0
        assert product["to_first_offer"]["count"] == 10
        reference = volunteer["reference"][run]
        assert reference["arrived"] == reference["chains"]
    assert queued["queued"] == 20
    assert queued["sent"] == 20
    assert queued["finished"]
    # The phone takes its hourly limit and not one more; the rest wait in the outbox.
    assert limited["arrived"] == 5
    assert limited["statuses"] == {"sent": 5, "retrying": 3}
    assert limited["respected"]
