"""The console's language: chosen per browser, defaulting to the area's locale.

Console texts share the gettext catalogs of the SMS texts and use the same
{placeholder} style, so the Serbian Cyrillic generator keeps them intact.
"""

from flask import g, session

from ivr_flows.catalog import DEFAULT_LOCALE, LOCALES, get_translations, normalize_locale

SESSION_KEY = "console_locale"

# Each language is named in itself, as language switches do, so nobody has to
# read a foreign language to find their own.
LANGUAGE_NAMES = {"sr_Latn": "Srpski", "sr_Cyrl": "Српски", "sq": "Shqip", "en": "English"}
HTML_LANG = {"sr_Latn": "sr-Latn", "sr_Cyrl": "sr-Cyrl", "sq": "sq", "en": "en"}


def choose_locale(area_default: str | None) -> str:
    """Set this request's locale: the browser's choice, else the area's default."""
    chosen = session.get(SESSION_KEY)
    locale = chosen if chosen in LOCALES else normalize_locale(area_default, DEFAULT_LOCALE)
    g.console_locale = locale
    return locale


def remember_locale(locale: str) -> bool:
    """Store a language choice for this browser; False for an unknown locale.

    Short forms people type ("sr", "sr-Cyrl") are read as the locale they name.
    """
    locale = normalize_locale(locale, fallback="")
    if locale not in LOCALES:
        return False
    session[SESSION_KEY] = locale
    g.console_locale = locale
    return True


def current_locale() -> str:
    return g.get("console_locale", DEFAULT_LOCALE)


def gettext(message: str, **params: object) -> str:
    """Translate a console text into the current locale and fill its {placeholders}."""
    text = get_translations(current_locale()).gettext(message)
    return text.format(**params) if params else text


def pgettext(context: str, message: str, **params: object) -> str:
    """Translate a short text whose meaning depends on context ("accepted" of a request or an offer)."""
    text = get_translations(current_locale()).pgettext(context, message)
    return text.format(**params) if params else text
