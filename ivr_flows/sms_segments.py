"""Measure what an SMS costs, and rewrite text into the cheaper GSM-7 alphabet.

Providers bill per segment. A text of GSM-7 characters only is sent in 7-bit
septets: 160 fit in one SMS, and a longer text is split into parts of 153,
because each part carries a 6-byte header. One character outside GSM-7 (any
Cyrillic, Serbian č ć đ š ž, Albanian ë ç, an emoji, a typographic quote) makes
the whole text UCS-2: 70 UTF-16 code units in one SMS, 67 per part.

The tables and rules follow Twilio's segment calculator
(github.com/TwilioDevEd/message-segment-calculator, src/libs/UnicodeToGSM.ts,
Segment.ts and SegmentedMessage.ts), which implements GSM 03.38.
"""

import unicodedata
from dataclasses import dataclass

from ivr_flows.text_folding import SERBIAN_CYRILLIC_TO_LATIN

# GSM 03.38 basic table, one septet each. It has capital "Ç" but no small "ç".
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# GSM 03.38 extension table: an escape septet and one more, so two septets each.
GSM7_EXTENSION = "\f^{}\\[]~|€"

SINGLE_GSM7_SEPTETS = 160
PART_GSM7_SEPTETS = 153
SINGLE_UCS2_UNITS = 70
PART_UCS2_UNITS = 67

# Typographic characters that word processors and phones put in place of plain ones.
TYPOGRAPHIC_TO_PLAIN = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "•": "-",
    "…": "...", "\t": " ",
}
# Latin letters without a Unicode decomposition into a base letter and a mark.
LATIN_LETTERS_TO_GSM7 = {"đ": "dj", "ð": "dj", "ł": "l", "œ": "oe"}

# Characters that join the previous one into a single visible character. Twilio's
# calculator never splits such a character between parts. Combining marks are
# found by their category, the rest by these code points: zero-width joiner,
# variation selectors, emoji skin tones and flag tags.
_ZERO_WIDTH_JOINER = "\u200d"
_JOINING_RANGES = ((0xFE00, 0xFE0F), (0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F))
_REGIONAL_INDICATORS = (0x1F1E6, 0x1F1FF)


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2
    segments: int


def measure(text: str) -> SmsSize:
    """Measure the encoding, length and number of billed segments of an SMS body.

    A part never ends in the middle of an extension character, a surrogate pair
    or a joined emoji sequence. An empty text counts as one segment, as Twilio's
    calculator counts it.
    """
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        sizes = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return SmsSize("GSM-7", sum(sizes), _count_segments(sizes, SINGLE_GSM7_SEPTETS, PART_GSM7_SEPTETS))

    sizes = _ucs2_sizes(text)
    return SmsSize("UCS-2", sum(sizes), _count_segments(sizes, SINGLE_UCS2_UNITS, PART_UCS2_UNITS))


def to_gsm7(text: str) -> str:
    """Rewrite text so that it is sent as GSM-7.

    Serbian Cyrillic becomes Serbian Latin, letters lose the diacritics GSM-7
    lacks (č → c, đ → dj, ë → e, ç → c), typographic quotes, dashes and spaces
    become plain ones, and any other character outside GSM-7 becomes "?".
    Characters that GSM-7 has, such as "é" and "Ç", stay as they are.
    """
    return "".join(_to_gsm7_char(text, index) for index in range(len(text)))


def _to_gsm7_char(text: str, index: int) -> str:
    char = text[index]
    if char in GSM7_BASIC or char in GSM7_EXTENSION:
        return char
    if char in TYPOGRAPHIC_TO_PLAIN:
        return TYPOGRAPHIC_TO_PLAIN[char]
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    if category.startswith("M") or category == "Cf":
        return ""

    lower = char.lower()
    latin = SERBIAN_CYRILLIC_TO_LATIN.get(lower) or LATIN_LETTERS_TO_GSM7.get(lower)
    if latin is not None:
        return latin if char == lower else _capitalize(latin, text, index)

    base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    if base and all(part in GSM7_BASIC for part in base):
        return base
    return "?"


def _capitalize(latin: str, text: str, index: int) -> str:
    """Capitalize a transliteration: "LJ" inside a word in capitals, "Lj" otherwise."""
    if len(latin) == 1:
        return latin.upper()
    after = text[index + 1:index + 2]
    before = text[index - 1:index] if index else ""
    in_capitals = after.isupper() or (not after.isalpha() and before.isupper())
    return latin.upper() if in_capitals else latin.capitalize()


def _count_segments(sizes: list[int], single_limit: int, part_limit: int) -> int:
    if sum(sizes) <= single_limit:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > part_limit:
            segments += 1
            used = 0
        used += size
    return segments


def _visible_characters(text: str) -> list[str]:
    """Split text into characters as a reader sees them, close to Unicode grapheme clusters.

    NOTE: an approximation. It joins marks, zero-width-joiner sequences, variation
    selectors, skin tones, flag tags and pairs of regional indicators, but does
    not implement every rule of Unicode Standard Annex 29.
    """
    clusters: list[str] = []
    for char in text:
        if clusters and _joins_previous(clusters[-1], char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _joins_previous(cluster: str, char: str) -> bool:
    code = ord(char)
    if unicodedata.category(char).startswith("M") or char == _ZERO_WIDTH_JOINER:
        return True
    if cluster.endswith(_ZERO_WIDTH_JOINER) or any(low <= code <= high for low, high in _JOINING_RANGES):
        return True
    low, high = _REGIONAL_INDICATORS
    return low <= code <= high and len(cluster) == 1 and low <= ord(cluster) <= high


def _ucs2_sizes(text: str) -> list[int]:
    """Return the UTF-16 length of each piece that must stay within one part.

    A joined sequence longer than a whole part is split between its code points.
    """
    sizes = []
    for cluster in _visible_characters(text):
        units = _utf16_units(cluster)
        if units <= PART_UCS2_UNITS:
            sizes.append(units)
        else:
            sizes.extend(_utf16_units(char) for char in cluster)
    return sizes


def _utf16_units(cluster: str) -> int:
    return sum(2 if ord(char) > 0xFFFF else 1 for char in cluster)
