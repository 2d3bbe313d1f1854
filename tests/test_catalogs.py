"""Every source text is translated in every locale, and the catalogs contain nothing else.

The source texts are extracted afresh from the code with the same command as
`make extract`, so a text added anywhere fails here until each catalog has it.
To fix a failure: run `make update-catalogs`, translate the new entries in
sr_Latn, sq and en, then run `python -m ivr_flows.catalog_cyrillic`.
"""

import re
import string
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import PoFileError, read_po

from ivr_flows import texts
from ivr_flows.catalog import DOMAIN, LOCALE_DIR, LOCALES, translate, translate_plural
from ivr_flows.catalog_cyrillic import CYRILLIC_LOCALE, LATIN_LOCALE, to_cyrillic
from ivr_flows.understanding import read_citizen_text, read_volunteer_text

REPOSITORY = Path(__file__).resolve().parent.parent
FIX_HINT = (
    "run `make update-catalogs`, translate the new entries in sr_Latn, sq and en, "
    "then run `python -m ivr_flows.catalog_cyrillic`"
)

# The arguments of `make extract`, with the output sent to a temporary file.
EXTRACT_ARGUMENTS = (
    "--mapping", str(REPOSITORY / "babel.cfg"), "--keywords", "N_", "--keywords", "NP_:1,2",
    "--no-location", "--omit-header", "--sort-output",
)
SOURCE_DIRS = ("ivr_flows", "gateway", "workers", "db")

# Words in capitals that are abbreviations, not keywords people can send.
ABBREVIATIONS = frozenset({"SMS", "СМС"})

PLURAL_FORM_COUNTS = {"sr_Latn": 3, "sr_Cyrl": 3, "sq": 2, "en": 2}

# The noun phrase of OPEN_REQUESTS that each locale's plural rule must pick.
# Serbian has a form for 1, 21, 31 ..., one for 2-4, 22-24 ..., and one for the
# rest, 11-14 included. Albanian and English have one form for 1 and one for the rest.
OPEN_REQUEST_PHRASES = [
    ("sr_Latn", 1, "1 otvoren zahtev"),
    ("sr_Latn", 2, "2 otvorena zahteva"),
    ("sr_Latn", 5, "5 otvorenih zahteva"),
    ("sr_Latn", 21, "21 otvoren zahtev"),
    ("sr_Latn", 11, "11 otvorenih zahteva"),
    ("sr_Cyrl", 1, "1 отворен захтев"),
    ("sr_Cyrl", 2, "2 отворена захтева"),
    ("sr_Cyrl", 5, "5 отворених захтева"),
    ("sr_Cyrl", 21, "21 отворен захтев"),
    ("sr_Cyrl", 11, "11 отворених захтева"),
    ("sq", 1, "1 kërkesë të hapur"),
    ("sq", 2, "2 kërkesa të hapura"),
    ("sq", 5, "5 kërkesa të hapura"),
    ("sq", 21, "21 kërkesa të hapura"),
    ("sq", 11, "11 kërkesa të hapura"),
    ("en", 1, "1 open request"),
    ("en", 2, "2 open requests"),
    ("en", 5, "5 open requests"),
    ("en", 21, "21 open requests"),
    ("en", 11, "11 open requests"),
]

TRANSLITERATIONS = [
    pytest.param("Zahtev {number} je Vaš.", "Захтев {number} је Ваш.", id="placeholder"),
    pytest.param("Ljubljana, LJUDI, njegov, NJIVA, Džep, džem", "Љубљана, ЉУДИ, његов, ЊИВА, Џеп, џем", id="digraphs"),
    pytest.param("Đurđevdan, 6. maja, čaj, ćup, šal, žito", "Ђурђевдан, 6. маја, чај, ћуп, шал, жито", id="diacritics"),
    pytest.param("HRANA, DA, STOP, START, STATUS", "ХРАНА, ДА, СТОП, СТАРТ, СТАТУС", id="keywords"),
    pytest.param("injekcija, nadživeti, konjugacija", "инјекција, надживети, конјугација", id="split-digraphs"),
    pytest.param("Imate {count:d} zahteva: {numbers}.", "Имате {count:d} захтева: {numbers}.", id="format-spec"),
    pytest.param("+383 44 123 456", "+383 44 123 456", id="phone"),
    pytest.param("Већ ћирилица", "Већ ћирилица", id="already-cyrillic"),
]


def catalog_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def read_catalog(locale: str) -> Catalog:
    """Read a locale's .po file as the hotline does: a missing plural form reads as empty."""
    with catalog_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def find_po_file_error(locale: str) -> str | None:
    """Return what babel rejects in a locale's .po file, such as more plural forms than Plural-Forms allows."""
    try:
        with catalog_path(locale).open("rb") as handle:
            read_po(handle, locale=locale, domain=DOMAIN, abort_invalid=True)
    except PoFileError as error:
        return str(error)
    return None


@pytest.fixture(scope="module")
def source_catalog(tmp_path_factory) -> Catalog:
    """Extract the marked texts from the code into a fresh template."""
    template = tmp_path_factory.mktemp("extract") / "messages.pot"
    arguments = ["pybabel", "--quiet", "extract", *EXTRACT_ARGUMENTS, "--output-file", str(template)]
    CommandLineInterface().run([*arguments, *(str(REPOSITORY / folder) for folder in SOURCE_DIRS)])
    with template.open("rb") as handle:
        return read_po(handle)


def messages_without_header(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def singular_id(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def translation_forms(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if message.pluralizable else (message.string,)


def placeholders(text: str) -> set[str]:
    """Return the names of the Python format fields in text. Raises ValueError for unbalanced braces."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_every_source_text(locale, source_catalog):
    catalog = read_catalog(locale)

    missing = [singular_id(message) for message in messages_without_header(source_catalog)
               if catalog.get(message.id, message.context) is None]

    assert not missing, f"{locale} catalog lacks {len(missing)} source texts {missing}; {FIX_HINT}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_no_empty_translation(locale):
    catalog = read_catalog(locale)

    empty = [singular_id(message) for message in messages_without_header(catalog)
             if not all(translation_forms(message))]

    assert not empty, (
        f"{locale} catalog has empty msgstr for {empty}; translate them in sr_Latn, sq and en, "
        "then run `python -m ivr_flows.catalog_cyrillic`"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_no_fuzzy_translation(locale):
    catalog = read_catalog(locale)

    # Compiled catalogs leave fuzzy entries out, so people would read the English msgid.
    fuzzy = [singular_id(message) for message in messages_without_header(catalog) if message.fuzzy]

    assert not fuzzy, f"{locale} catalog has fuzzy entries {fuzzy}; check each translation and remove the fuzzy flag"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_no_stale_text(locale, source_catalog):
    catalog = read_catalog(locale)

    stale = [singular_id(message) for message in messages_without_header(catalog)
             if source_catalog.get(message.id, message.context) is None]
    obsolete = [key if isinstance(key, str) else key[0] for key in catalog.obsolete]

    assert not stale, f"{locale} catalog keeps {stale}, which the code no longer marks; run `make update-catalogs`"
    assert not obsolete, f"{locale} catalog keeps obsolete (#~) entries {obsolete}; delete them"


@pytest.mark.parametrize("locale", LOCALES)
def test_translation_keeps_placeholders(locale):
    catalog = read_catalog(locale)

    invalid = []
    changed = []
    for message in messages_without_header(catalog):
        ids = message.id if message.pluralizable else (message.id,)
        expected = set().union(*(placeholders(text) for text in ids))
        # An empty msgstr is reported by test_catalog_has_no_empty_translation.
        for form in filter(None, translation_forms(message)):
            try:
                found = placeholders(form)
            except ValueError as error:
                invalid.append(f"{form!r} ({error})")
                continue
            if found != expected:
                changed.append(f"{form!r} has {sorted(found)}, msgid {singular_id(message)!r} has {sorted(expected)}")

    assert not invalid, f"{locale} catalog has msgstr with unbalanced braces: {invalid}"
    assert not changed, f"{locale} catalog changes placeholders: {changed}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_plural_form_count(locale):
    catalog = read_catalog(locale)
    expected = PLURAL_FORM_COUNTS[locale]

    error = find_po_file_error(locale)

    assert catalog.num_plurals == expected, (
        f"{locale} catalog's Plural-Forms header has nplurals={catalog.num_plurals}, expected {expected}"
    )
    assert error is None, f"{catalog_path(locale)}: {error}"


@pytest.mark.parametrize(("locale", "count", "phrase"), OPEN_REQUEST_PHRASES,
                         ids=[f"{locale}-{count}" for locale, count, _ in OPEN_REQUEST_PHRASES])
def test_plural_form_follows_count(locale, count, phrase):
    text = translate_plural(locale, texts.OPEN_REQUESTS, count, numbers="1234")

    assert phrase in text


def test_cyrillic_catalog_has_latin_msgids():
    latin_ids = {singular_id(message) for message in messages_without_header(read_catalog(LATIN_LOCALE))}
    cyrillic_ids = {singular_id(message) for message in messages_without_header(read_catalog(CYRILLIC_LOCALE))}

    assert cyrillic_ids == latin_ids, "sr_Cyrl is out of date; run `python -m ivr_flows.catalog_cyrillic`"


def test_cyrillic_catalog_is_transliteration():
    cyrillic = read_catalog(CYRILLIC_LOCALE)

    differing = []
    for latin_message in messages_without_header(read_catalog(LATIN_LOCALE)):
        cyrillic_message = cyrillic.get(latin_message.id, latin_message.context)
        expected = tuple(to_cyrillic(form) for form in translation_forms(latin_message))
        if cyrillic_message is None or translation_forms(cyrillic_message) != expected:
            differing.append(singular_id(latin_message))

    assert not differing, (
        f"sr_Cyrl msgstr is not the transliteration of sr_Latn for {differing}; "
        "edit sr_Latn only and run `python -m ivr_flows.catalog_cyrillic`"
    )


@pytest.mark.parametrize(("latin", "cyrillic"), TRANSLITERATIONS)
def test_to_cyrillic_spelling(latin, cyrillic):
    assert to_cyrillic(latin) == cyrillic


def test_to_cyrillic_rejects_foreign_letter():
    with pytest.raises(ValueError, match="'W'"):
        to_cyrillic("Wi-Fi")


@pytest.mark.parametrize("locale", LOCALES)
def test_keywords_in_texts_are_understood(locale):
    catalog = read_catalog(locale)

    # A word in capitals inside a text is a keyword people will copy into their reply.
    unknown = []
    for message in messages_without_header(catalog):
        for form in translation_forms(message):
            words = re.findall(r"[^\W\d_]{2,}", re.sub(r"\{[^{}]*\}", " ", form))
            for word in (word for word in words if word.isupper() and word not in ABBREVIATIONS):
                if read_citizen_text(word).intent == "unknown" and read_volunteer_text(word).command == "unknown":
                    unknown.append(f"{word} in {singular_id(message)!r}")

    assert not unknown, f"{locale} texts name keywords that ivr_flows.understanding does not recognise: {unknown}"


def test_translate_returns_serbian_latin():
    text = translate("sr_Latn", texts.REQUEST_RECEIVED, number=1234)

    assert text == "Hvala. Broj Vašeg zahteva je 1234. Volonter će Vam se uskoro javiti."
