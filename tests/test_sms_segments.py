"""Tests of SMS encoding, length and segment counts, and of rewriting text into GSM-7."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr_flows.sms_segments import GSM7_BASIC, GSM7_EXTENSION, SmsSize, measure, to_gsm7

FLAG = "🇷🇸"  # two regional indicators, four UTF-16 code units
FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # seven code points joined by zero-width joiners, eleven code units


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("", SmsSize("GSM-7", 0, 1), id="empty text is one segment"),
    pytest.param("a" * 160, SmsSize("GSM-7", 160, 1), id="160 GSM-7 chars fit one segment"),
    pytest.param("a" * 161, SmsSize("GSM-7", 161, 2), id="161 GSM-7 chars need two"),
    pytest.param("a" * 306, SmsSize("GSM-7", 306, 2), id="two full parts of 153"),
    pytest.param("a" * 307, SmsSize("GSM-7", 307, 3), id="one septet past two parts"),
    pytest.param("a" * 459, SmsSize("GSM-7", 459, 3), id="three full parts"),
    pytest.param("€" * 80, SmsSize("GSM-7", 160, 1), id="extension chars count two"),
    pytest.param("€" * 81, SmsSize("GSM-7", 162, 2), id="81 extension chars exceed one segment"),
    pytest.param("\f{}[]~\\|^€", SmsSize("GSM-7", 20, 1), id="every extension char counts two"),
    pytest.param("a" * 151 + "€" + "a" * 153, SmsSize("GSM-7", 306, 2), id="extension char ends a part"),
    pytest.param("a" * 152 + "€" + "a" * 152, SmsSize("GSM-7", 306, 3), id="extension char not split across parts"),
    pytest.param("Ç" + "a" * 159, SmsSize("GSM-7", 160, 1), id="capital C cedilla stays GSM-7"),
    pytest.param("éèùìòØøÅåÄÖÑÜäöñüàÉÆæß§¿¡£¥¤ΔΦΓΛΩΠΨΣΘΞ", SmsSize("GSM-7", 38, 1), id="accented GSM-7 letters"),
    pytest.param("č" * 70, SmsSize("UCS-2", 70, 1), id="70 UCS-2 chars fit one segment"),
    pytest.param("č" * 71, SmsSize("UCS-2", 71, 2), id="71 UCS-2 chars need two"),
    pytest.param("č" * 134, SmsSize("UCS-2", 134, 2), id="two full parts of 67"),
    pytest.param("č" * 135, SmsSize("UCS-2", 135, 3), id="one unit past two parts"),
    pytest.param("a" * 159 + "č", SmsSize("UCS-2", 160, 3), id="one c caron makes 160 chars UCS-2"),
    pytest.param("ç" + "a" * 69, SmsSize("UCS-2", 70, 1), id="small c cedilla forces UCS-2"),
    pytest.param("ë", SmsSize("UCS-2", 1, 1), id="e diaeresis forces UCS-2"),
    pytest.param("Хлеб", SmsSize("UCS-2", 4, 1), id="Cyrillic forces UCS-2"),
    pytest.param("€" * 70 + "č", SmsSize("UCS-2", 71, 2), id="extension chars count one in UCS-2"),
    pytest.param("😀" * 35, SmsSize("UCS-2", 70, 1), id="emoji takes two units"),
    pytest.param("😀" * 36, SmsSize("UCS-2", 72, 2), id="36 emoji need two segments"),
    pytest.param("č" * 65 + "😀" + "č" * 67, SmsSize("UCS-2", 134, 2), id="emoji ends a part"),
    pytest.param("č" * 66 + "😀" + "č" * 66, SmsSize("UCS-2", 134, 3), id="emoji not split across parts"),
    pytest.param("č" * 65 + FLAG + "č" * 65, SmsSize("UCS-2", 134, 3), id="flag not split across parts"),
    pytest.param("č" * 60 + FAMILY + "č" * 63, SmsSize("UCS-2", 134, 3), id="joined emoji not split"),
])
def test_measure(text, expected):
    assert measure(text) == expected


def test_gsm7_tables_have_standard_sizes():
    assert len(set(GSM7_BASIC)) == 127
    assert len(set(GSM7_EXTENSION)) == 10
    assert not set(GSM7_BASIC) & set(GSM7_EXTENSION)


def test_measure_counts_whole_gsm7_table():
    assert measure(GSM7_BASIC) == SmsSize("GSM-7", 127, 1)


@given(st.text())
def test_segments_cover_units(text):
    size = measure(text)
    single, part = (160, 153) if size.encoding == "GSM-7" else (70, 67)

    assert size.segments >= 1
    assert (size.segments == 1) == (size.units <= single)
    if size.units > single:
        assert size.segments >= math.ceil(size.units / part)


@pytest.mark.parametrize(("text", "expected"), [
    ("Треба ми хлеб и лекови", "Treba mi hleb i lekovi"),
    ("Ђорђе Љубић, ул. Његошева 3", "Djordje Ljubic, ul. Njegoseva 3"),
    ("ЉУБА ЂУРИЋ, ЏЕП", "LJUBA DJURIC, DZEP"),
    ("Ваш захтев 159 је прихваћен.", "Vas zahtev 159 je prihvacen."),
    ("izvod iz matične knjige rođenih", "izvod iz maticne knjige rodjenih"),
    ("Đorđe ĐURIĆ, Šabac, Žarko, Čačak", "Djordje DJURIC, Sabac, Zarko, Cacak"),
    ("Ushqim dhe ilaçe për babin", "Ushqim dhe ilace per babin"),
    ("Kërkesa juaj është pranuar. ÇELËSI", "Kerkesa juaj eshte pranuar. ÇELESI"),
    ("“Hrana” – 2 kg… ‘ok’ — 5\u00a0€", '"Hrana" - 2 kg... \'ok\' - 5 €'),
    ("Café, naïve, Ørsted", "Café, naive, Ørsted"),
    ("Hvala 🙏", "Hvala ?"),
    ("c\u030c", "c"),
])
def test_to_gsm7(text, expected):
    assert to_gsm7(text) == expected


@given(st.text())
def test_to_gsm7_result_is_gsm7(text):
    assert measure(to_gsm7(text)).encoding == "GSM-7"


@given(st.text(alphabet=GSM7_BASIC + GSM7_EXTENSION))
def test_to_gsm7_keeps_gsm7_text(text):
    assert to_gsm7(text) == text
