"""`hotline provider ...`, `hotline area ...` and `hotline status`: wiring areas to the phone network."""

import os
import re

import click
from flask.cli import with_appcontext
from redis.exceptions import RedisError
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from db.areas import ServiceArea, get_default_area
from db.base import utcnow
from db.channels import (
    DEFAULT_BACKLOG_ALERT,
    DEFAULT_MAX_PER_HOUR,
    DEFAULT_SILENCE_MINUTES,
    KIND_SMSGATE,
    PROVIDER_KINDS,
    PURPOSE_SMS_IN,
    PURPOSE_SMS_OUT,
    PURPOSE_VOICE,
    ChannelConfigError,
    ChannelProvider,
    find_channel,
    find_provider,
    parse_sim_prefixes,
    set_channel,
)
from db.phone_numbers import InvalidPhoneNumber, format_for_people, normalize_phone
from db.sms_gateways import summarize_gateways
from gateway.extensions import get_database, get_redis, get_settings
from workers.providers.base import ProviderError
from workers.providers.registry import ProviderRegistry
from workers.send_rate import SendRateLimiter

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# Purpose names on the command line, each with the stored purposes it sets.
PURPOSE_NAMES = {"sms-in": (PURPOSE_SMS_IN,), "sms-out": (PURPOSE_SMS_OUT,),
                 "sms": (PURPOSE_SMS_IN, PURPOSE_SMS_OUT), "voice": (PURPOSE_VOICE,)}
PURPOSE_LABELS = {PURPOSE_SMS_IN: "inbound SMS", PURPOSE_SMS_OUT: "outbound SMS", PURPOSE_VOICE: "voice"}


@click.group("provider")
def provider_group():
    """Add and list connections to the phone network (Twilio-compatible accounts, SMS gateway phones)."""


@provider_group.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(PROVIDER_KINDS), required=True,
              help="twilio: Twilio, SignalWire or Somleng; smsgate: a phone running SMS Gateway for Android.")
@click.option("--url", "api_base_url", help="REST base URL. twilio: default TWILIO_API_BASE_URL; "
              "smsgate: http://PHONE:8080 (local server) or the app's cloud URL.")
@click.option("--account-env", help="Name of the environment variable with the account SID or user name.")
@click.option("--secret-env", help="Name of the environment variable with the auth token or password.")
@click.option("--signing-key-env", help="Name of the environment variable with the webhook signing key, "
              "when it is not the auth token (SignalWire's Signing Key; the phone app's key).")
@click.option("--from-number", help="Number this provider sends from instead of the area's number.")
@click.option("--sim", "sims", multiple=True, help="smsgate: PREFIX=SLOT, e.g. --sim +383=1 --sim +381=2.")
@click.option("--device-id", help="smsgate in cloud mode: the device that sends.")
@click.option("--max-per-hour", type=click.IntRange(0), default=DEFAULT_MAX_PER_HOUR, show_default=True,
              help="smsgate: SMS the phone sends per hour at most; 0 means no limit.")
@click.option("--silence-minutes", type=click.IntRange(1), default=DEFAULT_SILENCE_MINUTES, show_default=True,
              help="smsgate: minutes without an event before the phone counts as silent.")
@click.option("--backlog-alert", type=click.IntRange(1), default=DEFAULT_BACKLOG_ALERT, show_default=True,
              help="smsgate: waiting messages that trigger an alert.")
@with_appcontext
def provider_add_command(name, kind, api_base_url, account_env, secret_env, signing_key_env, from_number, sims,
                         device_id, max_per_hour, silence_minutes, backlog_alert):
    """Add provider NAME, or replace its settings. Credentials are given as environment variable names."""
    for option, value in (("--account-env", account_env), ("--secret-env", secret_env),
                          ("--signing-key-env", signing_key_env)):
        if value and not ENV_NAME.match(value):
            raise click.BadParameter(f"{value!r} is not an environment variable name; give the NAME of the "
                                     "variable (e.g. SMSGATE_PASSWORD), never the secret itself", param_hint=option)
    if api_base_url and not api_base_url.startswith(("http://", "https://")):
        raise click.BadParameter(f"{api_base_url!r} must start with http:// or https://", param_hint="--url")
    if kind == KIND_SMSGATE and not (api_base_url and secret_env and signing_key_env):
        raise click.UsageError("an smsgate provider needs --url, --secret-env and --signing-key-env")
    try:
        sim_by_prefix = ",".join(sims)
        parse_sim_prefixes(sim_by_prefix)
        sender = normalize_phone(from_number) if from_number else None
    except (ChannelConfigError, InvalidPhoneNumber) as error:
        raise click.ClickException(str(error)) from None

    with get_database().session() as session:
        provider = find_provider(session, name)
        created = provider is None
        if created:
            provider = ChannelProvider(name=name)
            session.add(provider)
        provider.kind = kind
        provider.api_base_url = api_base_url.rstrip("/") if api_base_url else None
        provider.account_env, provider.secret_env, provider.signing_key_env = account_env, secret_env, signing_key_env
        provider.from_number, provider.sim_by_prefix, provider.device_id = sender, sim_by_prefix, device_id
        provider.max_per_hour, provider.silence_minutes, provider.backlog_alert = (max_per_hour, silence_minutes,
                                                                                   backlog_alert)
        provider.updated_at = utcnow()
    click.echo(f"{'Added' if created else 'Updated'} provider {name} ({kind}).")


@provider_group.command("list")
@with_appcontext
def provider_list_command():
    """Show every provider and whether its environment variables are set."""
    with get_database().session() as session:
        providers = session.scalars(select(ChannelProvider).order_by(ChannelProvider.name)).all()
        if not providers:
            click.echo("No providers yet; areas use the TWILIO_* settings. Add one with: hotline provider add NAME --kind ...")
        for provider in providers:
            click.echo(f"{provider.name} ({provider.kind}) {provider.api_base_url or 'TWILIO_API_BASE_URL'}")
            click.echo(f"    credentials: {_describe_credentials(provider)}")


@click.group("area")
def area_group():
    """Show what a service area is wired to, and choose its providers."""


@area_group.command("show")
@click.argument("slug", required=False)
@click.option("--no-probe", is_flag=True, help="Do not contact the providers to check that they respond.")
@with_appcontext
def area_show_command(slug, no_probe):
    """Print the area's numbers, coordinator and channels, and whether each provider responds."""
    settings = get_settings()
    registry = _build_registry(settings)
    with get_database().session() as session:
        area = _find_area(session, slug)
        numbers = ", ".join(format_for_people(number.phone) for number in area.numbers) or "none yet"
        coordinator = format_for_people(area.coordinator_phone) if area.coordinator_phone else "none (alerts cannot be sent)"
        click.echo(f"Area {area.slug}: {area.name} (country {area.country}, language {area.default_locale})")
        click.echo(f"  hotline numbers: {numbers}")
        click.echo(f"  coordinator: {coordinator}")
        for purpose in (PURPOSE_SMS_IN, PURPOSE_SMS_OUT, PURPOSE_VOICE):
            channel = find_channel(session, area.id, purpose)
            click.echo(f"  {PURPOSE_LABELS[purpose]}:")
            if channel is None:
                click.echo(f"    default (TWILIO_* settings): {_describe_default(settings)}")
                if not no_probe and registry.default is not None and purpose != PURPOSE_SMS_IN:
                    click.echo(f"      responds: {_probe(registry.default)}")
                continue
            for role, provider in (("main", channel.provider), ("fallback", channel.fallback)):
                if provider is None:
                    continue
                click.echo(f"    {role}: {provider.name} ({provider.kind}) {provider.api_base_url or settings.twilio_api_base_url}")
                click.echo(f"      credentials: {_describe_credentials(provider)}")
                if not no_probe:
                    click.echo(f"      responds: {_responds(session, registry, provider, purpose)}")


@area_group.command("set-channel")
@click.argument("purpose", type=click.Choice(sorted(PURPOSE_NAMES)))
@click.argument("provider_name")
@click.option("--area", "slug", help="Area slug (default: the default area).")
@click.option("--fallback", help="Provider to use when the main one fails.")
@with_appcontext
def area_set_channel_command(purpose, provider_name, slug, fallback):
    """Carry PURPOSE (sms-in, sms-out, sms for both, voice) of an area through PROVIDER_NAME."""
    with get_database().session() as session:
        area = _find_area(session, slug)
        provider = _require_provider(session, provider_name)
        backup = _require_provider(session, fallback) if fallback else None
        try:
            for stored in PURPOSE_NAMES[purpose]:
                set_channel(session, area.id, stored, provider, backup)
        except ChannelConfigError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Area {area.slug}: {purpose} now goes through {provider.name}"
                   + (f", falling back to {backup.name}." if backup else "."))


@area_group.command("clear-channel")
@click.argument("purpose", type=click.Choice(sorted(PURPOSE_NAMES)))
@click.option("--area", "slug", help="Area slug (default: the default area).")
@with_appcontext
def area_clear_channel_command(purpose, slug):
    """Send PURPOSE of an area through the TWILIO_* settings again."""
    with get_database().session() as session:
        area = _find_area(session, slug)
        for stored in PURPOSE_NAMES[purpose]:
            channel = find_channel(session, area.id, stored)
            if channel is not None:
                session.delete(channel)
        click.echo(f"Area {area.slug}: {purpose} uses the TWILIO_* settings again.")


@area_group.command("set-coordinator")
@click.argument("phone")
@click.option("--area", "slug", help="Area slug (default: the default area).")
@with_appcontext
def area_set_coordinator_command(phone, slug):
    """Set the number that gets alerts about the area's SMS gateway phones."""
    with get_database().session() as session:
        area = _find_area(session, slug)
        try:
            area.coordinator_phone = normalize_phone(phone, area.country)
        except InvalidPhoneNumber as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Area {area.slug}: coordinator {format_for_people(area.coordinator_phone)}.")


@click.command("status")
@with_appcontext
def status_command():
    """Show whether the database, Redis and every SMS gateway phone are working."""
    database, redis = _check_database(), _check_redis()
    click.echo(f"database: {database}")
    click.echo(f"redis: {redis}")
    if database != "ok":
        raise click.ClickException("the database does not respond, so nothing more can be shown")

    limiter = SendRateLimiter(get_redis()) if redis == "ok" else None
    now = utcnow()
    with get_database().session() as session:
        summaries = summarize_gateways(session)
        rates = {row.name: (row.id, row.max_per_hour) for row in session.scalars(
            select(ChannelProvider).where(ChannelProvider.kind == KIND_SMSGATE))}
    if not summaries:
        click.echo("SMS gateway phones: none configured")
        return
    click.echo("SMS gateway phones:")
    for summary in summaries:
        seen = _ago(now, summary.last_seen_at)
        provider_id, max_per_hour = rates[summary.name]
        used = limiter.used(provider_id) if limiter is not None else None
        rate = f"{used if used is not None else '?'}/{max_per_hour or 'no limit'} in the last hour"
        battery = f", battery {summary.battery_level}%" if summary.battery_level is not None else ""
        click.echo(f"  {summary.name}: {summary.condition}, last event {seen}, backlog {summary.backlog}, "
                   f"sent {rate}{battery}")


def _find_area(session, slug: str | None) -> ServiceArea:
    if not slug:
        return get_default_area(session)
    area = session.scalar(select(ServiceArea).where(ServiceArea.slug == slug))
    if area is None:
        raise click.ClickException(f"no service area with slug {slug!r}")
    return area


def _require_provider(session, name: str) -> ChannelProvider:
    provider = find_provider(session, name)
    if provider is None:
        raise click.ClickException(f"no provider named {name!r}; add it with: hotline provider add {name} --kind ...")
    return provider


def _check_database() -> str:
    try:
        with get_database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return f"failed ({error.__class__.__name__})"
    return "ok"


def _check_redis() -> str:
    try:
        get_redis().ping()
    except (RedisError, OSError) as error:
        return f"failed ({error})"
    return "ok"


def _build_registry(settings) -> ProviderRegistry:
    default = None
    if settings.sends_for_real:
        from workers.providers.twilio_provider import TwilioProvider

        default = TwilioProvider(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base_url)
    return ProviderRegistry(default, settings.twilio_api_base_url)


def _describe_credentials(provider: ChannelProvider) -> str:
    names = [name for name in (provider.account_env, provider.secret_env, provider.signing_key_env) if name]
    if not names:
        return "none named"
    return ", ".join(f"{name} {'set' if os.environ.get(name) else 'NOT SET'}" for name in names)


def _describe_default(settings) -> str:
    if not settings.sends_for_real:
        return "TWILIO_ACCOUNT_SID not set, texts stay in the outbox"
    return f"account {settings.twilio_account_sid[:6]}…, {settings.twilio_api_base_url}"


def _responds(session, registry, provider: ChannelProvider, purpose: str) -> str:
    if provider.kind == KIND_SMSGATE and purpose == PURPOSE_SMS_IN:
        # The phone posts to us, so for inbound SMS "responds" means its events keep arriving.
        summary = next((item for item in summarize_gateways(session) if item.name == provider.name), None)
        if summary is None or summary.last_seen_at is None:
            return "no event received yet (is the webhook registered on the phone?)"
        return f"{summary.condition}, last event {_ago(utcnow(), summary.last_seen_at)}"
    return _probe(registry.build(provider))


def _probe(provider) -> str:
    try:
        return f"yes ({provider.check()})"
    except ProviderError as error:
        return f"NO: {error.describe()}"


def _ago(now, moment) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    return f"{seconds // 60} min ago"
