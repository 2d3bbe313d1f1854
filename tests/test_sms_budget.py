"""Every SMS text, in every language and under both sending policies, fits the segment budget."""

import pytest

from db.areas import SMS_POLICY_GSM7, SMS_POLICY_UNICODE, ServiceArea
from ivr_flows import texts
from ivr_flows.catalog import LOCALES, translate, translate_plural
from ivr_flows.outgoing import render_for_area
from ivr_flows.sms_segments import measure

DEFAULT_BUDGET = 2
# Realistic values: a four-digit request number, a long Serbian name with
# diacritics, a formatted phone number, and a summary as offers build it.
REALISTIC = {
    "number": 1234,
    "volunteer": "Marija Petrović",
    "phone": "+383 44 123 456",
    "summary": "hrana ili lekovi (Hleb, mleko i lekovi za pritisak…)",
    "details": "Hleb, mleko i lekovi za pritisak, Ul. Kralja Petra 12",
    "centre": "Centar za podršku Mitrovica",
    "offers": "1234, 1235",
    "tasks": "1236",
    "paused": "",
    "hours": 72,
    "numbers": "1234, 1235",
}


def _sms_messages() -> list[tuple[str, str]]:
    found = []
    for name in dir(texts):
        value = getattr(texts, name)
        if name.isupper() and isinstance(value, str) and not name.startswith("SUMMARY"):
            found.append((name, value))
    return sorted(found)


@pytest.mark.parametrize("policy", [SMS_POLICY_UNICODE, SMS_POLICY_GSM7])
@pytest.mark.parametrize("locale", LOCALES)
def test_every_text_fits_the_budget(locale, policy):
    area = ServiceArea(sms_policy=policy)
    too_long = []
    for name, message in _sms_messages():
        body, encoding, segments = render_for_area(area, translate(locale, message, **REALISTIC))
        if segments > DEFAULT_BUDGET:
            too_long.append(f"{name}: {segments} segments ({encoding}, {len(body)} chars): {body}")

    assert too_long == []


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_text_fits_the_budget(locale):
    for count in (1, 2, 5, 21):
        body = translate_plural(locale, texts.OPEN_REQUESTS, count, numbers="1234, 1235, 1236")
        assert measure(body).segments <= DEFAULT_BUDGET


def test_gsm7_policy_makes_serbian_cheaper():
    unicode_area = ServiceArea(sms_policy=SMS_POLICY_UNICODE)
    gsm7_area = ServiceArea(sms_policy=SMS_POLICY_GSM7)
    text = translate("sr_Cyrl", texts.REQUEST_RECEIVED, number=1234)

    unicode_body, unicode_encoding, _ = render_for_area(unicode_area, text)
    gsm7_body, gsm7_encoding, _ = render_for_area(gsm7_area, text)

    assert unicode_encoding == "UCS-2"
    assert unicode_body == text
    assert gsm7_encoding == "GSM-7"
    assert gsm7_body.startswith("Hvala. Broj Vaseg zahteva je 1234.")


def test_area_policy_is_applied_and_stored(hotline):
    from sqlalchemy import select

    from db.areas import get_default_area
    from db.messages import Message

    with hotline.database.session() as session:
        get_default_area(session).sms_policy = SMS_POLICY_GSM7
    hotline.text("+381641234567", "ХРАНА")

    with hotline.database.session() as session:
        reply = session.scalar(select(Message).where(Message.to_number == "+381641234567"))
    assert reply.encoding == "GSM-7"
    assert reply.segments == measure(reply.body).segments
    assert hotline.bodies_to("+381641234567") == [reply.body]
    assert all(ord(character) < 128 for character in reply.body)
