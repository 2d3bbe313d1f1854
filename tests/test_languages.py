"""People are answered in the language and script they write, until they choose another."""

from sqlalchemy import select

from db.people import Citizen
from ivr_flows import texts
from ivr_flows.catalog import translate
from tests.conftest import CITIZEN_EN, CITIZEN_SQ, CITIZEN_SR, CITIZEN_SR_CYRL, VOLUNTEER_MARKO


def _locale(hotline, phone: str) -> tuple[str, bool]:
    with hotline.database.session() as session:
        citizen = session.scalar(select(Citizen).where(Citizen.phone == phone))
        return citizen.locale, citizen.locale_chosen


def _is_cyrillic(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("\u0400" <= ch <= "\u04ff" for ch in letters) > len(letters) / 2


def test_cyrillic_writer_gets_cyrillic(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR_CYRL, "Треба ми хлеб и лекови")

    reply = hotline.bodies_to(CITIZEN_SR_CYRL)[0]
    assert reply == translate("sr_Cyrl", texts.REQUEST_RECEIVED, number=1)
    assert _is_cyrillic(reply)
    assert _locale(hotline, CITIZEN_SR_CYRL) == ("sr_Cyrl", False)


def test_each_language_is_answered_in_kind(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")
    hotline.text(CITIZEN_SQ, "ushqim dhe ilaçe për babin")
    hotline.text(CITIZEN_EN, "medicine from the pharmacy please")

    assert hotline.bodies_to(CITIZEN_SR) == [translate("sr_Latn", texts.REQUEST_RECEIVED, number=1)]
    assert hotline.bodies_to(CITIZEN_SQ) == [translate("sq", texts.REQUEST_RECEIVED, number=2)]
    assert hotline.bodies_to(CITIZEN_EN) == [translate("en", texts.REQUEST_RECEIVED, number=3)]


def test_latinica_keeps_latin_for_a_cyrillic_writer(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR_CYRL, "LATINICA")
    hotline.text(CITIZEN_SR_CYRL, "Треба ми хлеб и лекови")

    replies = hotline.bodies_to(CITIZEN_SR_CYRL)
    assert replies[0] == translate("sr_Latn", texts.LANGUAGE_SET)
    assert replies[1] == translate("sr_Latn", texts.REQUEST_RECEIVED, number=1)
    assert _locale(hotline, CITIZEN_SR_CYRL) == ("sr_Latn", True)


def test_language_keywords_switch(hotline):
    expected = [("SHQIP", "sq"), ("ENGLISH", "en"), ("ЋИРИЛИЦА", "sr_Cyrl"), ("SRPSKI", "sr_Latn")]
    for keyword, locale in expected:
        hotline.text(CITIZEN_SR, keyword)

        assert hotline.bodies_to(CITIZEN_SR)[-1] == translate(locale, texts.LANGUAGE_SET)
        assert _locale(hotline, CITIZEN_SR) == (locale, True)


def test_chosen_language_survives_writing_in_another(hotline):
    hotline.add_volunteer(*VOLUNTEER_MARKO)
    hotline.text(CITIZEN_SR, "ENGLISH")
    hotline.text(CITIZEN_SR, "treba mi hleb i lekovi")

    assert hotline.bodies_to(CITIZEN_SR)[-1] == translate("en", texts.REQUEST_RECEIVED, number=1)
