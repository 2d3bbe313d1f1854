"""Citizens who ask for help and volunteers who give it."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

SKILL_DOCUMENTS = "documents"
SKILL_DELIVERY = "delivery"
SKILLS = (SKILL_DOCUMENTS, SKILL_DELIVERY)
LANGUAGES = ("sr", "sq", "en")


class Citizen(Base):
    """A person who texts or calls the hotline, known by phone number within an area."""

    __tablename__ = "citizens"
    __table_args__ = (UniqueConstraint("area_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"))
    phone: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(120))
    # Locale code with script ("sr_Latn", "sr_Cyrl", "sq", "en"), learned from how
    # the person writes until they choose one with a keyword.
    locale: Mapped[str | None] = mapped_column(String(10))
    locale_chosen: Mapped[bool] = mapped_column(default=False)
    opted_out: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Volunteer(Base):
    """A person who takes tasks by SMS."""

    __tablename__ = "volunteers"
    __table_args__ = (
        UniqueConstraint("area_id", "phone"),
        # Routing takes the volunteers with the fewest open tasks first; this
        # index gives it them in that order without counting every task.
        Index("ix_volunteers_area_open_tasks", "area_id", "open_tasks", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    # Comma-separated codes, kept as text so SQLite and PostgreSQL store them alike.
    languages: Mapped[str] = mapped_column(String(40), default="sr")
    skills: Mapped[str] = mapped_column(String(60), default="documents,delivery")
    locale: Mapped[str] = mapped_column(String(10), default="sr_Latn")
    active: Mapped[bool] = mapped_column(default=True)
    paused: Mapped[bool] = mapped_column(default=False)
    # Accepted requests this volunteer holds. Only the lifecycle transitions in
    # db/lifecycle.py change it, in the same transaction as the request.
    open_tasks: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def skill_list(self) -> list[str]:
        return [skill for skill in self.skills.split(",") if skill]
