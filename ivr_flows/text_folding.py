"""Fold SMS text into one plain spelling and match its words against keywords.

People write the same word in Serbian Cyrillic or Latin, with or without
diacritics, in capitals, with emoji, and sometimes with a Cyrillic letter
inside a Latin word (or the reverse) because the phone keyboard switched
layout. fold() brings all of these to lowercase Latin letters and digits.

A keyword table maps keyword keys to (meaning, language). A keyword ending in
"*" is a stem that matches any word starting with it. A word of five or more
letters that is one typing error away from keywords of exactly one meaning
matches that meaning.
"""

import re
import unicodedata

# Serbian Cyrillic letters and their Latin spelling without diacritics.
SERBIAN_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ж": "z",
    "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
    "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "c", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "c", "џ": "dz", "ш": "s",
}

# Latin letters that Unicode does not decompose into a base letter and a mark.
# The eth stands for "đ" because Serbian text decoded as Windows-1252 instead of
# Windows-1250 shows "Ð" and "ð" in place of "Đ" and "đ".
LATIN_LETTERS_WITHOUT_DECOMPOSITION = {
    "đ": "dj", "ð": "dj", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "ı": "i",
}

# Look-alike letters, used only inside a word that mixes the two scripts:
# the minority letters take the shape of the majority script. Cyrillic "і" and
# "ѕ" are not Serbian letters, so Latin "i" and "s" have no Cyrillic twin here.
# NOTE: a word typed half in each layout of a phonetic keyboard ("hrана") is read
# by shape, not by key, so it folds to "nrana". Only the one-typo tolerance of
# look_up_keyword() then finds the keyword.
_CYRILLIC_LOOKALIKES_AS_LATIN = str.maketrans("аеорсхукмтнвјіѕ", "aeopcxykmthbjis")
_LATIN_LOOKALIKES_AS_CYRILLIC = str.maketrans("aeopcxykmthbj", "аеорсхукмтнвј")

# Apostrophes join the parts of one word, as in Albanian "ç'regjistrohu".
_APOSTROPHES = re.compile("['’ʼ‘`´]")
_LETTER_RUN = re.compile(r"[^\W\d_]+")

# Spellings without diacritics (ch, sh, zh) and ijekavian "ije"/"je" after a
# consonant reduce to one key, so "pomoch" equals "pomoc" and "mlijeko" "mleko".
_DIGRAPH = re.compile(r"([csz])h")
_IJEKAVIAN = re.compile(r"(?<=[bcdfghklmnprstvz])i?je")
MIN_TYPO_WORD_LENGTH = 5

KeywordEntry = tuple[str, str | None]


def script_of(text: str) -> str | None:
    """Return "Cyrl" or "Latn", whichever script most letters of the text use.

    Returns None for a text without Cyrillic or Latin letters and for a tie.
    """
    cyrillic = latin = 0
    for char in text:
        script = _script_of_letter(char)
        if script == "Cyrl":
            cyrillic += 1
        elif script == "Latn":
            latin += 1

    if cyrillic > latin:
        return "Cyrl"
    if latin > cyrillic:
        return "Latn"
    return None


def fold(text: str) -> str:
    """Fold text for keyword comparison.

    The result is lowercase. Serbian Cyrillic becomes Latin, and Latin letters
    lose their diacritics (Serbian "đ" becomes "dj"). Look-alike letters of
    mixed-script words are repaired first. Digits
    of any script become ASCII digits. Punctuation, emoji and other symbols
    become spaces, so "#159" gives "159". Runs of spaces collapse to one.
    """
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    without_marks = "".join(char for char in decomposed if not unicodedata.category(char).startswith("M"))
    joined = _APOSTROPHES.sub("", without_marks)

    text_script = script_of(joined)
    repaired = _LETTER_RUN.sub(lambda match: _repair_mixed_word(match.group(), text_script), joined)

    folded = "".join(_fold_char(char) for char in repaired)
    return " ".join(folded.split())


def _repair_mixed_word(word: str, text_script: str | None) -> str:
    """Give the look-alike letters of a mixed-script word the word's majority script.

    A word with as many Cyrillic as Latin letters follows the script of the whole text.
    """
    scripts = [_script_of_letter(char) for char in word]
    cyrillic = scripts.count("Cyrl")
    latin = scripts.count("Latn")
    if not cyrillic or not latin:
        return word

    majority = text_script
    if cyrillic > latin:
        majority = "Cyrl"
    elif latin > cyrillic:
        majority = "Latn"

    if majority == "Latn":
        return word.translate(_CYRILLIC_LOOKALIKES_AS_LATIN)
    if majority == "Cyrl":
        return word.translate(_LATIN_LOOKALIKES_AS_CYRILLIC)
    return word


def _fold_char(char: str) -> str:
    if char in SERBIAN_CYRILLIC_TO_LATIN:
        return SERBIAN_CYRILLIC_TO_LATIN[char]
    if char in LATIN_LETTERS_WITHOUT_DECOMPOSITION:
        return LATIN_LETTERS_WITHOUT_DECOMPOSITION[char]
    if char.isdecimal():
        return str(unicodedata.decimal(char))
    if char.isalpha():
        return char
    return " "


def _script_of_letter(char: str) -> str | None:
    if not char.isalpha():
        return None
    if char.isascii():
        return "Latn"
    name = unicodedata.name(char, "")
    if name.startswith("CYRILLIC"):
        return "Cyrl"
    if name.startswith("LATIN"):
        return "Latn"
    return None


def keyword_key(word: str) -> str:
    """Return the key a folded word is compared by."""
    return _IJEKAVIAN.sub("e", _DIGRAPH.sub(r"\1", word))


def build_keyword_table(groups) -> dict[str, KeywordEntry]:
    """Build a keyword table from ((meaning, language), "word stem* ...") pairs.

    A keyword listed for several languages gets language None. Raises ValueError
    when one keyword is listed with two meanings.
    """
    table = {}
    for (meaning, language), words in groups:
        for word in words.split():
            key = keyword_key(word.rstrip("*")) + ("*" if word.endswith("*") else "")
            known_meaning, known_language = table.get(key, (meaning, language))
            if known_meaning != meaning:
                raise ValueError(f"keyword {word!r} has two meanings: {known_meaning} and {meaning}")
            table[key] = (meaning, language if known_language == language else None)
    return table


def look_up_keyword(word: str, table: dict[str, KeywordEntry]) -> KeywordEntry | None:
    """Return (meaning, language) of the keyword that a folded word matches, or None.

    An exact keyword wins over a stem, a longer stem over a shorter one, and
    both over a keyword one typing error away.
    """
    key = keyword_key(word)
    if key in table:
        return table[key]
    for length in range(len(key), 2, -1):
        if key[:length] + "*" in table:
            return table[key[:length] + "*"]
    if len(key) < MIN_TYPO_WORD_LENGTH:
        return None

    near = [entry for keyword, entry in table.items() if _is_near(key, keyword)]
    if len({meaning for meaning, _ in near}) != 1:
        return None
    languages = {language for _, language in near}
    return near[0][0], languages.pop() if len(languages) == 1 else None


def _is_near(key: str, keyword: str) -> bool:
    stem = keyword.rstrip("*")
    if len(stem) < MIN_TYPO_WORD_LENGTH:
        return False
    if stem == keyword:
        return _within_one_edit(key, keyword)
    return any(_within_one_edit(key[:length], stem) for length in (len(stem) - 1, len(stem), len(stem) + 1))


def _within_one_edit(first: str, second: str) -> bool:
    """Tell whether one insertion, deletion, substitution or swap of neighbours turns one word into the other."""
    if abs(len(first) - len(second)) > 1:
        return False
    if len(first) > len(second):
        first, second = second, first
    index = 0
    while index < len(first) and first[index] == second[index]:
        index += 1
    if index == len(first):
        return True
    if len(first) < len(second):
        return first[index:] == second[index + 1:]
    if first[index + 1:] == second[index + 1:]:
        return True
    if index + 1 < len(first) and first[index] == second[index + 1] and first[index + 1] == second[index]:
        return first[index + 2:] == second[index + 2:]
    return False
