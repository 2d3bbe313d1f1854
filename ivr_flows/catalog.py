"""Gettext catalogs for every text people read or hear, one per locale.

Catalogs live in ivr_flows/locale/<locale>/LC_MESSAGES/messages.po and are
compiled to .mo by `make catalogs` (run at install). A missing .mo is compiled
in memory from the .po, so a fresh checkout still speaks every language.
"""

import io
import logging
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

# Serbian in both scripts, Albanian and English; Serbian Latin is the default of
# the first service area.
LOCALES = ("sr_Latn", "sr_Cyrl", "sq", "en")
DEFAULT_LOCALE = "sr_Latn"
LANGUAGE_OF_LOCALE = {"sr_Latn": "sr", "sr_Cyrl": "sr", "sq": "sq", "en": "en"}


def N_(message: str) -> str:
    """Mark a text for extraction without translating it yet."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a text with a plural form for extraction; translate_plural picks the form."""
    return singular, plural


def normalize_locale(locale: str | None, fallback: str = DEFAULT_LOCALE) -> str:
    """Return a supported locale code, accepting forms like "sr-Cyrl" or "sr"."""
    if not locale:
        return fallback
    code = locale.replace("-", "_")
    if code in LOCALES:
        return code
    if code == "sr":
        return "sr_Latn"
    return fallback


@lru_cache(maxsize=None)
def get_translations(locale: str) -> NullTranslations:
    """Load a locale's catalog, from the compiled .mo when it is there."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    mo_path = folder / f"{DOMAIN}.mo"
    po_path = folder / f"{DOMAIN}.po"
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)

    if not po_path.exists():
        log.warning("no catalog for locale %s in %s; texts stay in English", locale, folder)
        return NullTranslations()

    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translate(locale: str, message: str, **params: object) -> str:
    """Return a text in the locale with its {placeholders} filled in."""
    text = get_translations(normalize_locale(locale)).gettext(message)
    return text.format(**params) if params else text


def translate_plural(locale: str, forms: tuple[str, str], count: int, **params: object) -> str:
    """Return the plural form that the locale's rules pick for count (1 zahtev, 2 zahteva, 5 zahteva)."""
    singular, plural = forms
    text = get_translations(normalize_locale(locale)).ngettext(singular, plural, count)
    return text.format(count=count, **params)
