"""Background jobs on Redis and RQ: routing, sending, sweeping."""
