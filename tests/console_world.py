"""Helpers for console tests: areas, coordinators, signed-in clients and CSRF tokens."""

import re

from sqlalchemy import select

from db.areas import AreaNumber, ServiceArea, get_default_area
from db.coordinators import add_coordinator
from db.requests import HelpRequest

PASSWORD = "correct horse battery"
OTHER_AREA_NUMBER = "+38328000200"

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_area(database, slug: str = "zvecan", name: str = "Zvečan", number: str = OTHER_AREA_NUMBER) -> int:
    with database.session() as session:
        area = ServiceArea(slug=slug, name=name)
        session.add(area)
        session.flush()
        session.add(AreaNumber(area_id=area.id, phone=number))
        return area.id


def default_area_id(database) -> int:
    with database.session() as session:
        return get_default_area(session).id


def create_coordinator(database, username: str = "ana", area_ids: list[int] | None = None, admin: bool = False,
                       name: str = "Ana Jovanović") -> int:
    with database.session() as session:
        if area_ids is None and not admin:
            area_ids = [get_default_area(session).id]
        areas = [session.get(ServiceArea, area_id) for area_id in area_ids or []]
        return add_coordinator(session, username, name, PASSWORD, areas, is_admin=admin).id


def csrf_token(client, path: str = "/console/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = _CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, username: str = "ana", password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/console/login", data={"username": username, "password": password, "csrf_token": token})


def post_form(client, path: str, data: dict | None = None, page: str = "/console/"):
    """POST a console form with a valid CSRF token taken from a page of the console."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)})


def find_request(database, number: int, area_id: int | None = None) -> HelpRequest:
    with database.session() as session:
        query = select(HelpRequest).where(HelpRequest.number == number)
        if area_id is not None:
            query = query.where(HelpRequest.area_id == area_id)
        return session.scalar(query)
