"""Log format and levels shared by the web app, workers and commands."""

import logging
import os

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"


def configure_logging(level: str | None = None) -> None:
    """Set up root logging once, from HOTLINE_LOG_LEVEL (default INFO)."""
    chosen = (level or os.environ.get("HOTLINE_LOG_LEVEL") or "INFO").upper()
    if not logging.getLogger().handlers:
        logging.basicConfig(level=chosen, format=LOG_FORMAT)
    # The twilio library logs request parameters (bodies, phone numbers) at
    # INFO; they belong at DEBUG only.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    # RQ logs each job's description at INFO; ours carry ids only, but the
    # worker's own start and stop lines are what operators want.
    logging.getLogger("rq.worker").setLevel(max(logging.getLevelName(chosen), logging.INFO))
