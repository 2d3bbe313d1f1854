"""The web process keeps the area of each hotline number for a minute, then looks it up again."""

from sqlalchemy import update

from db.area_cache import AreaNumberCache
from db.areas import AreaNumber, ServiceArea, get_default_area
from tests.signing import HOTLINE_NUMBER


def test_area_cache_follows_moved_number_after_a_minute(db_session):
    default_area = get_default_area(db_session)
    zvecan = ServiceArea(slug="zvecan", name="Zvečan", country="RS")
    db_session.add(zvecan)
    db_session.commit()
    now = [1000.0]
    cache = AreaNumberCache(ttl_seconds=60, clock=lambda: now[0])

    first = cache.find(db_session, HOTLINE_NUMBER)
    db_session.execute(update(AreaNumber).where(AreaNumber.phone == HOTLINE_NUMBER).values(area_id=zvecan.id))
    db_session.commit()
    now[0] += 59
    within_the_minute = cache.find(db_session, HOTLINE_NUMBER)
    now[0] += 2
    after_the_minute = cache.find(db_session, HOTLINE_NUMBER)

    assert (first.id, first.country) == (default_area.id, default_area.country)
    assert within_the_minute == first
    assert (after_the_minute.id, after_the_minute.country) == (zvecan.id, "RS")
