"""Settings read once from the environment (or a mapping in tests) through typed helpers.

A wrong value stops the start with a message that names the setting.
"""

import logging
import os
from collections.abc import Mapping
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

log = logging.getLogger(__name__)

# The instance folder beside the source tree, as Flask uses for a checkout. It
# contains the default SQLite file and the embedded Redis.
DEFAULT_INSTANCE_DIR = Path(__file__).resolve().parents[1] / "instance"
DEFAULT_TWILIO_API_BASE_URL = "https://api.twilio.com"


class SettingsError(ValueError):
    """A setting that is missing or has a value the hotline cannot use."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None  # None: start an embedded Redis
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    twilio_api_base_url: str
    public_url: str | None
    verify_signatures: bool
    instance_dir: Path
    secret_key: str
    # The token webhooks are signed with: TWILIO_AUTH_TOKEN, or without one a
    # random local token kept in the instance folder for the phone simulator.
    webhook_token: str = ""

    @property
    def sends_for_real(self) -> bool:
        """True when provider credentials exist; otherwise texts stay in the outbox."""
        return bool(self.twilio_account_sid and self.twilio_auth_token)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from a mapping, the process environment by default."""
    env = dict(os.environ if environ is None else environ)
    instance_dir = Path(env.get("HOTLINE_INSTANCE_DIR") or DEFAULT_INSTANCE_DIR)
    database_url = _database_url(env.get("DATABASE_URL"), instance_dir)
    base_url = _url(env, "TWILIO_API_BASE_URL", DEFAULT_TWILIO_API_BASE_URL)

    settings = Settings(
        database_url=database_url,
        redis_url=env.get("REDIS_URL") or None,
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        twilio_api_base_url=base_url.rstrip("/"),
        public_url=_url(env, "PUBLIC_URL", None),
        verify_signatures=_flag(env, "HOTLINE_VERIFY_SIGNATURES", True),
        instance_dir=instance_dir,
        secret_key=env.get("SECRET_KEY") or _local_secret(instance_dir, "secret-key"),
    )
    if bool(settings.twilio_account_sid) != bool(settings.twilio_auth_token):
        raise SettingsError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together, or neither")
    return replace(settings, webhook_token=settings.twilio_auth_token or _local_secret(instance_dir, "webhook-token"))


def _local_secret(instance_dir: Path, name: str) -> str:
    """Return a random secret kept in the instance folder, creating it on first use.

    Without SECRET_KEY or provider credentials, every process of one
    installation (web, worker, simulator) reads the same file, and no secret
    is ever a value published in the source.
    """
    path = instance_dir / name
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    # The secret is written to a private file first and then linked into place,
    # so two processes starting at once agree on one complete file.
    draft = path.with_name(f".{name}.{os.getpid()}")
    draft.write_text(secrets.token_hex(32) + "\n")
    draft.chmod(0o600)
    try:
        os.link(draft, path)
        log.info("created %s in %s", name, instance_dir)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


def _database_url(value: str | None, instance_dir: Path) -> str:
    if not value:
        return f"sqlite:///{instance_dir / 'hotline.sqlite3'}"
    # Heroku-style URLs name the old driver; SQLAlchemy wants psycopg 3 spelled out.
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    if not value.startswith(("sqlite", "postgresql+")):
        raise SettingsError(f"DATABASE_URL={value.split('://')[0]}://... is not supported: use sqlite:/// or postgresql://")
    return value


def _url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    value = env.get(name) or default
    if value is not None and not value.startswith(("http://", "https://")):
        raise SettingsError(f"{name}={value!r} is invalid: it must start with http:// or https://")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r} is invalid: use true or false")
