"""Arbitrary webhook bodies never cause a 5xx, and every well-signed SMS with a sender and id is stored."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db.messages import Message
from tests.signing import signed_post

FIELD = st.one_of(st.none(), st.text(max_size=40), st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10))
PHONE = st.one_of(FIELD, st.sampled_from(["+38344123456", "044123456", "0038344123456", "+381641234567", "VALA"]))
BODY = st.one_of(FIELD, st.text(min_size=500, max_size=5000))


def _form(sid, sender, to, body, extra):
    form = {key: value for key, value in {"MessageSid": sid, "From": sender, "To": to, "Body": body}.items()
            if value is not None}
    form.update(extra)
    return form


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sid=FIELD, sender=PHONE, to=PHONE, body=BODY,
       extra=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=3))
def test_signed_webhooks_never_fail(hotline, sid, sender, to, body, extra):
    form = _form(sid, sender, to, body, extra)

    response = signed_post(hotline.client, "/twilio/sms", form, hotline.token)

    assert response.status_code == 200
    clean_sid = "".join(ch for ch in (sid or "") if ch >= " " and ch != "\x7f")[:64]
    if clean_sid and sender:
        with hotline.database.session() as session:
            stored = session.scalar(select(Message.id).where(Message.provider_sid == clean_sid))
        assert stored is not None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_raw_bodies_never_fail(hotline, raw):
    response = hotline.client.post("/twilio/sms", data=raw, content_type="application/x-www-form-urlencoded",
                                   headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})

    assert response.status_code == 403


def test_invalid_utf8_body_is_stored(hotline):
    raw = b"MessageSid=SMbadutf8&From=%2B38344123456&To=%2B38328000100&Body=hrana+%FF%FE+lekovi"
    from twilio.request_validator import RequestValidator
    from tests.signing import PUBLIC_URL

    # Werkzeug keeps undecodable percent escapes as text; the provider signs what it sent.
    parsed = {"MessageSid": "SMbadutf8", "From": "+38344123456", "To": "+38328000100", "Body": "hrana %FF%FE lekovi"}
    signature = RequestValidator(hotline.token).compute_signature(PUBLIC_URL + "/twilio/sms", parsed)

    response = hotline.client.post("/twilio/sms", data=raw, content_type="application/x-www-form-urlencoded",
                                   headers={"X-Twilio-Signature": signature})

    assert response.status_code == 200
    with hotline.database.session() as session:
        body = session.scalar(select(Message.body).where(Message.provider_sid == "SMbadutf8"))
    assert body == "hrana %FF%FE lekovi"
