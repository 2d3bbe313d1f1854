"""Coordinator accounts of the web console and the service areas each one may see."""

import functools
import logging
import re
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from db.areas import ServiceArea
from db.base import Base, utcnow

log = logging.getLogger(__name__)

USERNAME_MAX_LENGTH = 40
PASSWORD_MIN_LENGTH = 10
# Letters of any script, digits, ".", "-" and "_".
_USERNAME = re.compile(r"[\w.-]+")

# argon2-cffi's defaults since 21.2 are RFC 9106's low-memory profile: each check
# takes three passes over 64 MiB, which also slows down password guessing.
_password_hasher = PasswordHasher()


class CoordinatorError(ValueError):
    """A coordinator change that cannot be made, with a message for the operator."""


class Coordinator(Base):
    """A member of staff who signs in to the console."""

    __tablename__ = "coordinators"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lowercase sign-in name; it also names the coordinator in request timelines.
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    # An admin may open every service area, anyone else only the areas linked below.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Stored in the session cookie; raising it signs out every browser of this account.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    areas: Mapped[list[ServiceArea]] = relationship(secondary="coordinator_areas", order_by="ServiceArea.id")

    @property
    def actor(self) -> str:
        """The actor recorded on request events this coordinator causes."""
        return f"coordinator:{self.username}"


class CoordinatorArea(Base):
    """Membership of a coordinator in one service area."""

    __tablename__ = "coordinator_areas"

    coordinator_id: Mapped[int] = mapped_column(ForeignKey("coordinators.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id", ondelete="CASCADE"), primary_key=True)


@functools.cache
def _unknown_account_hash() -> str:
    # Checked when the username is unknown, so a wrong name takes as long as a
    # wrong password and does not reveal which accounts exist. Made on first
    # use because hashing costs as much as a sign-in.
    return _password_hasher.hash("no such coordinator")


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def hash_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise CoordinatorError(f"the password is too short: use at least {PASSWORD_MIN_LENGTH} characters")
    return _password_hasher.hash(password)


def add_coordinator(
    session: Session, username: str, name: str, password: str, areas: list[ServiceArea], is_admin: bool = False
) -> Coordinator:
    """Create a coordinator account; anyone but an admin needs at least one area."""
    username = normalize_username(username)
    if len(username) > USERNAME_MAX_LENGTH or not _USERNAME.fullmatch(username):
        raise CoordinatorError(
            f"invalid username {username!r}: use 1 to {USERNAME_MAX_LENGTH} letters, digits, '.', '-' or '_'"
        )
    if not is_admin and not areas:
        raise CoordinatorError("a coordinator who is not an admin needs at least one --area")
    if find_coordinator(session, username) is not None:
        raise CoordinatorError(f"a coordinator named {username!r} already exists")

    coordinator = Coordinator(
        username=username, name=name.strip() or username, password_hash=hash_password(password),
        is_admin=is_admin, areas=list(areas),
    )
    session.add(coordinator)
    session.flush()
    log.info("coordinator %s added (admin=%s, areas=%s)", coordinator.id, is_admin, [area.id for area in areas])
    return coordinator


def find_coordinator(session: Session, username: str) -> Coordinator | None:
    return session.scalar(select(Coordinator).where(Coordinator.username == normalize_username(username)))


def authenticate(session: Session, username: str, password: str) -> Coordinator | None:
    """Return the active coordinator with this username and password, or None.

    A hash made with older argon2 parameters is replaced on success.
    """
    coordinator = find_coordinator(session, username)
    if coordinator is not None and coordinator.active:
        stored_hash = coordinator.password_hash
    else:
        stored_hash = _unknown_account_hash()
    try:
        _password_hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if coordinator is None or not coordinator.active:
        return None

    if _password_hasher.check_needs_rehash(coordinator.password_hash):
        coordinator.password_hash = _password_hasher.hash(password)
    coordinator.last_login_at = utcnow()
    return coordinator


def set_password(coordinator: Coordinator, password: str) -> None:
    """Change the password and sign out every browser that used the old one."""
    coordinator.password_hash = hash_password(password)
    coordinator.session_version += 1


def visible_areas(session: Session, coordinator: Coordinator) -> list[ServiceArea]:
    """Return the areas this coordinator may see: every area for an admin."""
    if coordinator.is_admin:
        return list(session.scalars(select(ServiceArea).order_by(ServiceArea.id)))
    return list(coordinator.areas)
