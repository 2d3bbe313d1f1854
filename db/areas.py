"""Service areas (municipalities) and the hotline numbers that lead to them."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from db.base import Base, utcnow

DEFAULT_AREA_SLUG = "default"

# Sending policies: full Unicode, or text folded to the GSM-7 alphabet, because
# one Serbian or Albanian letter cuts a segment from 160 to 70 characters.
SMS_POLICY_UNICODE = "unicode"
SMS_POLICY_GSM7 = "gsm7"


class ServiceArea(Base):
    """A municipality served by the hotline, with its own numbers, people and settings."""

    __tablename__ = "service_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # ISO 3166 region used to read local numbers such as 044...; Kosovo is "XK".
    country: Mapped[str] = mapped_column(String(2), default="XK")
    default_locale: Mapped[str] = mapped_column(String(10), default="sr_Latn")
    time_zone: Mapped[str] = mapped_column(String(40), default="Europe/Belgrade")
    sms_policy: Mapped[str] = mapped_column(String(10), default=SMS_POLICY_UNICODE)
    # Every catalog text must fit in this many segments once filled in; a test enforces it.
    sms_segment_budget: Mapped[int] = mapped_column(default=2, server_default="2")
    offer_wave_size: Mapped[int] = mapped_column(default=3)
    offer_timeout_minutes: Mapped[int] = mapped_column(default=10)
    max_offer_waves: Mapped[int] = mapped_column(default=3)
    coordinator_phone: Mapped[str | None] = mapped_column(String(20))
    # Abuse and cost limits per phone number, counted in Redis.
    inbound_per_minute: Mapped[int] = mapped_column(default=10, server_default="10")
    replies_per_day: Mapped[int] = mapped_column(default=40, server_default="40")
    # A volunteer who accepted gets a reminder after reminder_hours; the
    # coordinator hears of a task still open after overdue_hours.
    reminder_hours: Mapped[int] = mapped_column(default=24, server_default="24")
    overdue_hours: Mapped[int] = mapped_column(default=72, server_default="72")
    # Closed requests older than this are anonymised by `hotline purge`.
    retention_days: Mapped[int] = mapped_column(default=365, server_default="365")
    # Counter behind the short request numbers people read aloud; see next_request_number().
    last_request_number: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    numbers: Mapped[list["AreaNumber"]] = relationship(
        back_populates="area", order_by="AreaNumber.id", cascade="all, delete-orphan"
    )

    @property
    def sender_number(self) -> str | None:
        """The hotline number that outbound texts come from."""
        return self.numbers[0].phone if self.numbers else None


class AreaNumber(Base):
    """A hotline number (E.164) that citizens call or text to reach one area."""

    __tablename__ = "area_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)

    area: Mapped[ServiceArea] = relationship(back_populates="numbers")


def find_area_for_number(session: Session, hotline_number: str | None) -> ServiceArea:
    """Return the area that owns a hotline number, or the default area.

    With no area configured, a default area is created and serves every number.
    It also adopts the first number it is reached on, so replies have a sender.
    """
    if hotline_number:
        area = session.scalar(
            select(ServiceArea).join(AreaNumber).where(AreaNumber.phone == hotline_number)
        )
        if area is not None:
            return area

    area = get_default_area(session)
    if hotline_number and not area.numbers:
        _adopt_number(session, area, hotline_number)
    return area


def _adopt_number(session: Session, area: ServiceArea, hotline_number: str) -> None:
    # Two first webhooks can race to adopt the same number; the loser keeps going
    # without it because the winner's row serves both.
    try:
        with session.begin_nested():
            session.add(AreaNumber(area_id=area.id, phone=hotline_number))
    except IntegrityError:
        pass
    session.expire(area, ["numbers"])


def get_default_area(session: Session) -> ServiceArea:
    """Return the default area, creating it on first use."""
    area = session.scalar(select(ServiceArea).where(ServiceArea.slug == DEFAULT_AREA_SLUG))
    if area is not None:
        return area

    area = session.scalar(select(ServiceArea).order_by(ServiceArea.id).limit(1))
    if area is not None:
        return area

    area = ServiceArea(slug=DEFAULT_AREA_SLUG, name="Hotline")
    session.add(area)
    session.flush()
    return area
