"""Tests of fold() and of reading citizen and volunteer SMS, row by row over the corpora."""

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr_flows.text_folding import build_keyword_table, fold, look_up_keyword, script_of
from ivr_flows.understanding import (
    CITIZEN_INTENTS,
    DOCUMENT_TYPES,
    VOLUNTEER_COMMANDS,
    detect_locale,
    read_citizen_text,
    read_menu_choice,
    read_volunteer_text,
)

# CI puts a copy of shared/ beside the clone, so the shared corpus is two levels up.
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EXTRA_CORPUS = Path(__file__).resolve().parent / "corpus"

LOCALE_OF_CORPUS_LANGUAGE = {"sr-Latn": "sr_Latn", "sr-Cyrl": "sr_Cyrl", "sq": "sq", "en": "en"}
# Latin words written alike in Serbian, Albanian and English: a text of only
# these words and numbers does not show its language.
LANGUAGE_NEUTRAL_WORDS = {"status", "stop", "start", "dokument", "dokumenti", "ok"}


def read_corpus_rows(path: Path, column_count: int) -> list:
    """Return one pytest param per data row, with an id that names the file, line and text."""
    params = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line_number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#") or line.startswith("text\t"):
            continue
        fields = line.split("\t")
        fields += [""] * (column_count - len(fields))
        params.append(pytest.param(*fields[:column_count], id=f"{path.name}:{line_number}:{fields[0]}"))
    return params


def corpus_params(shared_name: str, extra_name: str, column_count: int) -> list:
    shared_path = SHARED_CORPUS / shared_name
    if shared_path.exists():
        params = read_corpus_rows(shared_path, column_count)
    else:
        reason = f"shared corpus {shared_path} is missing; CI places shared/ beside the clone"
        params = [pytest.param(*[""] * column_count, id=shared_name, marks=pytest.mark.skip(reason=reason))]
    return params + read_corpus_rows(EXTRA_CORPUS / extra_name, column_count)


def expected_locale(text: str, language: str) -> str | None:
    if not language:
        return None
    has_cyrillic = re.search("[\u0400-\u04ff]", text) is not None
    words = set(re.findall(r"[^\W\d_]+", text.lower()))
    if not has_cyrillic and words <= LANGUAGE_NEUTRAL_WORDS:
        return None
    return LOCALE_OF_CORPUS_LANGUAGE[language]


def expected_request_number(text: str, intent: str) -> int | None:
    digits = re.search(r"\d+", text)
    if intent in ("status", "cancel_request") and digits:
        return int(digits.group())
    return None


@pytest.mark.parametrize(("text", "language", "intent", "document_type"),
                         corpus_params("citizen-sms.tsv", "citizen-sms-extra.tsv", 4))
def test_citizen_corpus_row(text, language, intent, document_type):
    result = read_citizen_text(text)

    assert result.intent == intent
    assert result.document_type == (document_type or None)
    assert result.request_number == expected_request_number(text, intent)
    assert result.locale == expected_locale(text, language)


@pytest.mark.parametrize(("text", "command", "request_number"),
                         corpus_params("volunteer-sms.tsv", "volunteer-sms-extra.tsv", 3))
def test_volunteer_corpus_row(text, command, request_number):
    result = read_volunteer_text(text)

    assert result.command == command
    assert result.request_number == (int(request_number) if request_number else None)


@pytest.mark.parametrize(("text", "expected"), [
    ("HRANA", "hrana"),
    ("ХРАНА", "hrana"),
    ("њ љ џ ђ ћ ч ш ж", "nj lj dz dj c c s z"),
    ("č ć đ š ž ë ç Č Đ Ë", "c c dj s z e c c dj e"),
    ("Hrana, molim!!! 🙏", "hrana molim"),
    ("#159", "159"),
    ("status #159?", "status 159"),
    ("  hleb \t\n  mleko  ", "hleb mleko"),
    ("ç'regjistrohu", "cregjistrohu"),
    ("２", "2"),
    ("Hrana\u00a0i\u00a0lekovi", "hrana i lekovi"),
])
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("hrаna", "hrana"),  # Cyrillic а in a Latin word
    ("aрoteka", "apoteka"),  # Cyrillic р in a Latin word is the Latin p it looks like
    ("пoмоћ", "pomoc"),  # Latin o in a Cyrillic word
    ("рука", "ruka"),  # Cyrillic р in a Cyrillic word stays r
    ("роба hrаna", "roba hrana"),  # each word follows its own majority
])
def test_fold_repairs_mixed_script_words(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("ХРАНА", "Cyrl"), ("hrana", "Latn"), ("hrаna", "Latn"), ("159", None), ("", None), ("Ђорђе Đorđe", None),
])
def test_script_of(text, expected):
    assert script_of(text) == expected


@given(st.text())
def test_fold_is_idempotent(text):
    folded = fold(text)

    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded


@pytest.mark.parametrize(("text", "intent"), [
    ("dokumnet", "document"),  # swap of neighbours
    ("hrnaa", "delivery"),  # swap of neighbours in a five-letter word
    ("hranna", "delivery"),  # insertion
    ("namirnce", "delivery"),  # deletion inside a stem
    ("lekovy", "delivery"),  # near "lekovi" and "lekove", which share one meaning
    ("hrna", "unknown"),  # four letters: no typo tolerance
    ("rregjistrohu", "unknown"),  # one error from both "regjistrohu" (start) and "ç'regjistrohu" (stop)
])
def test_one_typo_matching(text, intent):
    assert read_citizen_text(text).intent == intent


def test_typo_near_two_meanings_matches_none():
    table = build_keyword_table([(("help", "sr"), "pomoc"), (("plague", "sr"), "pomor")])

    assert look_up_keyword("pomoc", table) == ("help", "sr")
    assert look_up_keyword("pomox", table) is None
    assert look_up_keyword("pomocc", table) == ("help", "sr")


def test_keyword_with_two_meanings_is_rejected():
    with pytest.raises(ValueError, match="two meanings"):
        build_keyword_table([(("stop", "en"), "cancel"), (("cancel_request", "en"), "cancel")])


@pytest.mark.parametrize(("text", "locale"), [
    ("SRPSKI", "sr_Latn"),
    ("СРПСКИ", "sr_Cyrl"),
    ("na srpskom molim", "sr_Latn"),
    ("LATINICA", "sr_Latn"),
    ("ЋИРИЛИЦА", "sr_Cyrl"),
    ("CIRILICA", "sr_Cyrl"),
    ("srpski ćirilica", "sr_Cyrl"),
    ("SHQIP", "sq"),
    ("në shqip", "sq"),
    ("ENGLISH", "en"),
    ("in English please", "en"),
    ("ENGLESKI", "en"),
    ("anglisht", "en"),
])
def test_switch_language(text, locale):
    result = read_citizen_text(text)

    assert result.intent == "switch_language"
    assert result.locale == locale


def test_language_word_in_a_request_is_no_switch():
    assert read_citizen_text("srpski hleb i mleko").intent == "delivery"


@pytest.mark.parametrize(("text", "intent", "number"), [
    ("prijava", "start", None),
    ("prijava rođenja", "document", None),
    ("ne prekini", "unknown", None),
    ("STOP molim", "stop", None),
    ("CANCEL", "stop", None),
    ("CANCEL 159", "cancel_request", 159),
    ("STOP 159", "cancel_request", 159),
    ("otkaži", "cancel_request", None),
    ("Hrana za baku, Ul. Kralja Petra 12", "delivery", None),
])
def test_whole_message_keywords(text, intent, number):
    result = read_citizen_text(text)

    assert result.intent == intent
    assert result.request_number == number


@pytest.mark.parametrize(("text", "locale"), [
    ("Treba mi hleb", "sr_Latn"),
    ("pomoć", "sr_Latn"),
    ("Треба ми хлеб", "sr_Cyrl"),
    ("ilaçe", "sq"),
    ("mirë dita", "sq"),
    ("ushqim per babin", "sq"),
    ("medicine for my father", "en"),
    ("159", None),
    ("STATUS 159", None),
    ("🙂", None),
    ("", None),
])
def test_detect_locale(text, locale):
    assert detect_locale(text) == locale


@pytest.mark.parametrize(("text", "choice"), [
    ("2", 2), (" 2.", 2), ("#2", 2), ("２", 2), ("2️⃣", 2), ("12", 12),
    ("159", None), ("2 3", None), ("dva", None), ("", None), ("2a", None),
])
def test_read_menu_choice(text, choice):
    assert read_menu_choice(text) == choice


@given(st.text())
def test_readers_return_known_values(text):
    citizen = read_citizen_text(text)
    volunteer = read_volunteer_text(text)

    assert citizen.intent in CITIZEN_INTENTS
    assert citizen.document_type is None or citizen.document_type in DOCUMENT_TYPES
    assert citizen.locale in (None, "sr_Latn", "sr_Cyrl", "sq", "en")
    assert volunteer.command in VOLUNTEER_COMMANDS
