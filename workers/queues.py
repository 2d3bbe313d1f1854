"""Queue names, and the job functions behind the job names that db code requests."""

# Inbound messages come first because a person waits for the answer. Sending
# has its own queue so a burst of routing work does not hold back texts that
# are ready to leave.
INBOUND_QUEUE = "inbound"
DEFAULT_QUEUE = "default"
SEND_QUEUE = "send"
ALL_QUEUES = (INBOUND_QUEUE, SEND_QUEUE, DEFAULT_QUEUE)

# Job name (as used by db.session.enqueue_after_commit) -> (queue, function path).
JOBS = {
    "process_inbound": (INBOUND_QUEUE, "workers.inbound.process_inbound"),
    "send_message": (SEND_QUEUE, "workers.sending.send_message"),
    "route_request": (DEFAULT_QUEUE, "workers.routing.route_request"),
    "expire_offers": (DEFAULT_QUEUE, "workers.routing.expire_offers"),
    "place_call": (SEND_QUEUE, "workers.calling.place_call"),
}

# RQ's default job description repeats the call with its arguments; ids only
# are passed, but keeping descriptions short keeps logs free of surprises.
JOB_RESULT_TTL_SECONDS = 3600
