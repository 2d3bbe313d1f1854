"""The Flask app: webhooks in, TwiML out, health, and the command line."""

import atexit
import logging
from collections.abc import Mapping

from flask import Flask

from db.session import Database
from gateway.settings import Settings, load_settings
from workers.dispatch import Dispatcher
from workers.redis_connection import EmbeddedRedis, connect, find_running

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, str] | Settings | None = None) -> Flask:
    """Build the app from a Settings object, a mapping of environment-style names, or the environment."""
    settings = config if isinstance(config, Settings) else load_settings(config)
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config["SECRET_KEY"] = settings.secret_key
    app.extensions["hotline.settings"] = settings

    redis_connection = RedisConnection(settings.redis_url, settings.instance_dir / "redis")
    app.extensions["hotline.redis"] = redis_connection
    app.extensions["hotline.db"] = Database(settings.database_url, enqueue=Dispatcher(redis_connection.get).enqueue)

    if not settings.verify_signatures:
        log.warning("webhook signature verification is OFF (HOTLINE_VERIFY_SIGNATURES=false); "
                    "use this only for local development")

    # Blueprints are imported here, not at module level, so importing the
    # package builds nothing and the settings above are read first.
    from gateway.console import init_console
    from gateway.health import health
    from gateway.sms_webhooks import sms_webhooks
    from gateway.smsgate_webhooks import smsgate_webhooks
    from gateway.voice_webhooks import voice_webhooks

    app.register_blueprint(health)
    app.register_blueprint(sms_webhooks)
    app.register_blueprint(voice_webhooks)
    app.register_blueprint(smsgate_webhooks)
    init_console(app)
    return app


class RedisConnection:
    """The app's Redis client, connected on first use.

    With REDIS_URL unset, first use joins the embedded Redis of a running
    `hotline run`, or else starts one for this process and stops it at exit.
    Commands that never enqueue (hotline db upgrade) start none.
    """

    def __init__(self, url: str | None, embedded_dir):
        self.url = url
        self._embedded_dir = embedded_dir
        self._client = None
        self.embedded: EmbeddedRedis | None = None

    def get(self):
        if self._client is None:
            if not self.url:
                self.url = find_running(self._embedded_dir)
            if not self.url:
                self.embedded = EmbeddedRedis(self._embedded_dir)
                self.url = self.embedded.url
                # A one-off command must not leave its Redis behind when it ends.
                atexit.register(self.embedded.close)
            self._client = connect(self.url)
        return self._client
