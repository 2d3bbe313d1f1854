"""Minimal RQ jobs that the figures use as references for the product's jobs."""

import os

import requests
from rq import Queue
from rq.job import get_current_job

from workers.queues import SEND_QUEUE

HOP_JOB = "bench.reference_jobs.hop"


def noop(*args) -> None:
    """Do nothing: the cost of one job is then RQ's own (dequeue, fork, bookkeeping)."""


def hop(remaining: int, provider_url: str, to_number: str) -> str:
    """Pass the chain on through the send queue; the last hop POSTs one message to the provider.

    Two hops have the shape of the product's path to a volunteer (a routing
    job that enqueues a send job that calls the provider), with no work of
    their own.
    """
    if remaining > 1:
        queue = Queue(SEND_QUEUE, connection=get_current_job().connection)
        queue.enqueue(HOP_JOB, remaining - 1, provider_url, to_number, result_ttl=3600)
        return "passed on"

    account_sid = os.environ["TWILIO_ACCOUNT_SID"]
    response = requests.post(
        f"{provider_url}/2010-04-01/Accounts/{account_sid}/Messages.json",
        data={"To": to_number, "From": "+38328000100", "Body": "reference"},
        auth=(account_sid, os.environ["TWILIO_AUTH_TOKEN"]), timeout=15,
    )
    response.raise_for_status()
    return response.json()["sid"]
