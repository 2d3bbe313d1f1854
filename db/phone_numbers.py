"""Phone numbers in one form (E.164) whatever way they arrive, and masked for logs."""

import phonenumbers

# North Mitrovica uses Kosovo (+383) and Serbian (+381) numbers side by side. A
# local number is read with the area's country first; one that is not valid there
# but is valid in the neighbouring country (064... is a Serbian mobile) is read so.
DEFAULT_COUNTRY = "XK"
NEIGHBOUR_COUNTRIES = {"XK": ("RS",), "RS": ("XK",)}


class InvalidPhoneNumber(ValueError):
    """A phone number that cannot be read as a real number."""


def normalize_phone(raw: str, country: str = DEFAULT_COUNTRY) -> str:
    """Return the E.164 form of a number written as +38344..., 0038344... or 044...

    Raises InvalidPhoneNumber when the text is not a possible phone number.
    """
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]

    try:
        parsed = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(f"invalid phone number {mask_phone(raw)}: {error}") from None

    if not text.startswith("+") and not phonenumbers.is_valid_number(parsed):
        parsed = _parse_as_neighbour(text, country) or parsed

    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(f"invalid phone number {mask_phone(raw)}: wrong length")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _parse_as_neighbour(text: str, country: str) -> phonenumbers.PhoneNumber | None:
    for neighbour in NEIGHBOUR_COUNTRIES.get(country, ()):
        try:
            parsed = phonenumbers.parse(text, neighbour)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return parsed
    return None


def try_normalize_phone(raw: str | None, country: str = DEFAULT_COUNTRY) -> str | None:
    """Return the E.164 form, or None for a missing or unreadable number."""
    if not raw:
        return None
    try:
        return normalize_phone(raw, country)
    except InvalidPhoneNumber:
        return None


def format_for_people(e164: str) -> str:
    """Return the international form people read, e.g. +383 44 123 456."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(raw: str | None) -> str:
    """Return a number for logs with its middle digits hidden: +383 44 *** 111."""
    if not raw:
        return "-"
    try:
        parsed = phonenumbers.parse(raw if raw.startswith("+") else "+" + raw.lstrip("0"), None)
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in raw if ch.isdigit())
        return f"***{digits[-3:]}" if len(digits) > 3 else "***"

    parts = shown.split(" ")
    if len(parts) >= 3:
        return " ".join(parts[:2] + ["***", parts[-1][-3:]])
    return shown[:4] + " *** " + shown[-3:]
