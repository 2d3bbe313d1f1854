"""Volunteer details beyond the SMS basics: neighbourhoods and weekly hours."""

from datetime import datetime, time

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class VolunteerProfile(Base):
    """Neighbourhoods and weekly availability of one volunteer; no row means "anywhere, any time"."""

    __tablename__ = "volunteer_profiles"

    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True)
    # Comma-separated names as coordinators write them ("Bosniak Mahala, Sunčani breg").
    neighbourhoods: Mapped[str] = mapped_column(Text, default="")
    # Comma-separated WEEKDAYS codes; empty means every day.
    available_days: Mapped[str] = mapped_column(String(40), default="")
    # Local "HH:MM" in the area's time zone; both empty means all day.
    available_from: Mapped[str | None] = mapped_column(String(5))
    available_until: Mapped[str | None] = mapped_column(String(5))

    @property
    def neighbourhood_list(self) -> list[str]:
        return split_list(self.neighbourhoods)

    @property
    def day_list(self) -> list[str]:
        return split_list(self.available_days)


def split_list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def parse_clock(value: str | None) -> time | None:
    """Read "9:30" or "09:30" as a time; None for an empty value. Raises ValueError otherwise."""
    text = (value or "").strip()
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    if not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"invalid time {text!r}: write it as HH:MM")
    return time(int(hours), int(minutes))


# TODO: routing skips volunteers outside their hours but does not match
# neighbourhoods, because a request stores no neighbourhood of its own yet.
def is_available(profile: VolunteerProfile | None, local_moment: datetime) -> bool:
    """Tell whether the volunteer's hours include a moment given in the area's local time.

    A window whose end is before its start runs past midnight (22:00-06:00).
    """
    if profile is None:
        return True
    day = WEEKDAYS[local_moment.weekday()]
    if profile.day_list and day not in profile.day_list:
        return False

    start = parse_clock(profile.available_from) or time(0, 0)
    end = parse_clock(profile.available_until)
    now = local_moment.time().replace(tzinfo=None)
    if end is None:
        return now >= start
    if start <= end:
        return start <= now < end
    return now >= start or now < end


def save_profile(
    session, volunteer_id: int, neighbourhoods: list[str], days: list[str],
    available_from: str | None, available_until: str | None,
) -> VolunteerProfile:
    """Create or replace a volunteer's profile with already checked values."""
    profile = session.get(VolunteerProfile, volunteer_id)
    if profile is None:
        profile = VolunteerProfile(volunteer_id=volunteer_id)
        session.add(profile)
    profile.neighbourhoods = ", ".join(neighbourhoods)
    profile.available_days = ",".join(day for day in WEEKDAYS if day in days)
    profile.available_from = available_from
    profile.available_until = available_until
    return profile
