"""Recognise what citizens and volunteers write in an SMS.

Every table below maps (meaning, language) to keywords, with the language None
for a keyword that does not show a language. Words are compared as
text_folding.look_up_keyword() does, so case, script, diacritics, ijekavian
forms and one typing error in a longer word do not matter.
"""

import re
from collections import Counter
from dataclasses import dataclass

from ivr_flows.text_folding import build_keyword_table, fold, look_up_keyword, script_of

CITIZEN_INTENTS = ("delivery", "document", "status", "help", "stop", "start", "switch_language",
                   "cancel_request", "unknown")
DOCUMENT_TYPES = ("birth_certificate", "marriage_certificate", "citizenship_certificate", "family_union_certificate",
                  "residence_certificate", "birth_registration", "death_registration", "other_document")
VOLUNTEER_COMMANDS = ("accept", "decline", "done", "status", "pause", "resume", "help", "unknown")

# Keywords that count only as the whole message, polite words aside, so that
# "prijava rođenja" stays a document request and "ne prekini" is no opt-out.
WHOLE_MESSAGE_KEYWORDS = {
    # Opt-out and opt-in. STOP and START are understood in every language. Twilio's
    # default opt-out keywords include CANCEL (twilio.com/docs/messaging/tutorials/
    # advanced-opt-out), so CANCEL alone opts out, and "CANCEL 159" cancels a request.
    ("stop", None): "stop", ("stop", "en"): "stopall unsubscribe cancel end quit revoke optout",
    ("stop", "sr"): "odjava odjavi odjavite odjavljujem prekini prekinite prekid stopiraj",
    ("stop", "sq"): "ndalo ndaloni ndal cregjistrohu cregjistroj",
    ("start", None): "start", ("start", "en"): "unstop subscribe",
    ("start", "sr"): "pocni pocetak prijava prijavi prijavljujem", ("start", "sq"): "fillo filloni regjistrohu",
    # Language choices. The choice "sr" keeps the script the word was written in.
    ("sr", "sr"): "srpski srpskom srpsku", ("sr", "sq"): "serbisht serbishte", ("sr", "en"): "serbian",
    ("sr_Latn", "sr"): "latinica latinicom latinicu", ("sr_Latn", "en"): "latin",
    ("sr_Cyrl", "sr"): "cirilica cirilicom cirilicu", ("sr_Cyrl", "en"): "cyrillic",
    ("sq", "sq"): "shqip shqipe", ("sq", "sr"): "albanski albanskom", ("sq", "en"): "albanian",
    ("en", "en"): "english", ("en", "sr"): "engleski engleskom", ("en", "sq"): "anglisht anglishte",
}
# Words ignored around a keyword or command: "STOP molim", "hvala, gotovo 159".
POLITE_WORDS = frozenset("molim please pls ju lutem hvala thanks faleminderit evo".split())
# Also ignored around a language choice: "na srpskom", "në shqip", "in English".
LANGUAGE_PREPOSITIONS = frozenset("na ne in".split())

# Keywords that set the intent of a free-text citizen message.
CITIZEN_KEYWORDS = {
    # Food, medicine and supplies.
    ("delivery", None): "market supermarket pazar*",
    ("delivery", "sr"): "hrana hrane hranu hrani namirnic* lek leka leku lekovi lekove lekova lekovima apotek* "
                        "ljekarna ljekarne ljekarni ljekarnu hleb hleba kruh mleko mleka dostava dostavu "
                        "kupovina kupovinu prodavnic* pelene",
    ("delivery", "sq"): "ushqim* ilac* barn* farmaci* buke qumesht* dyqan* blerje",
    ("delivery", "en"): "food groceries grocery medicine medicines medication medications pharmacy drugstore "
                        "bread milk shopping delivery",
    # Documents in general. The document type comes from DOCUMENT_CUES.
    ("document", None): "dokument dokumenti dokumente",
    ("document", "sr"): "dokumenta dokumenat izvod izvoda uverenje uverenja",
    ("document", "sq"): "dokumentet certifikat*",
    ("document", "en"): "document documents certificate certificates paperwork",
    # Status of a request, help and cancelling one request.
    ("status", None): "status", ("status", "sq"): "statusi gjendja gjendje",
    ("help", None): "info", ("help", "sr"): "pomoc pomozite meni uputstvo", ("help", "sq"): "ndihm* menuja",
    ("help", "en"): "help menu",
    ("cancel_request", "sr"): "otkazi otkazujem otkazati otkaz ponisti ponistiti",
    ("cancel_request", "sq"): "anulo anuloj anuloni anulim*", ("cancel_request", "en"): "cancel",
}

# Word stems that name a document type, in concepts combined by _document_type().
DOCUMENT_CUES = {
    ("death", "sr"): "smrt* umrl* umro preminu* sahran*", ("death", "sq"): "vdek* vdiq",
    ("death", "en"): "death died dead deceased",
    ("birth", "sr"): "rodjenih rodjenja rodjenje rodjenju", ("birth", "sq"): "lind*", ("birth", "en"): "birth",
    ("newborn", "sr"): "beba bebu bebe novorodjen* rodila rodio", ("newborn", "sq"): "foshnj*",
    ("newborn", "en"): "baby newborn",
    ("registration", "sr"): "prijav* upis*", ("registration", "sq"): "regjistrim*", ("registration", "en"): "regist*",
    ("certificate", "sr"): "izvod* uveren* potvrd*", ("certificate", "sq"): "certifikat* vertetim*",
    ("certificate", "en"): "certificate*",
    ("marriage", "sr"): "vencan* brak*", ("marriage", "sq"): "martes* martuar", ("marriage", "en"): "marriage married",
    ("citizenship", "sr"): "drzavljan*", ("citizenship", "sq"): "shtetesi*", ("citizenship", "en"): "citizenship",
    ("household", "sr"): "domacinstv* zajednic*", ("household", "sq"): "bashkesi* familjar*",
    ("household", "en"): "household",
    ("residence", "sr"): "prebival* boravist*", ("residence", "sq"): "vendbanim*", ("residence", "en"): "residence",
    ("other", "sr"): "pasos* vozack*", ("other", "sq"): "pasaport* leternjoftim*", ("other", "en"): "passport",
}
DOCUMENT_TYPE_OF_CONCEPT = {"marriage": "marriage_certificate", "citizenship": "citizenship_certificate",
                            "household": "family_union_certificate", "residence": "residence_certificate",
                            "other": "other_document"}

# Volunteer replies. "po" is Albanian for yes and "no" English for no.
VOLUNTEER_KEYWORDS = {
    ("accept", None): "ok okay oke okej", ("accept", "en"): "yes yep yeah accept accepted",
    ("accept", "sr"): "da preuzimam preuzeto prihvatam prihvacam uzimam mogu moze vazi",
    ("accept", "sq"): "po pranoj pranohet marr",
    ("decline", "sr"): "ne necu nemogu odbijam zauzet zauzeta", ("decline", "sq"): "jo nuk smundem refuzoj",
    ("decline", "en"): "no nope decline declined cannot cant busy",
    ("done", "sr"): "gotovo zavrsen* zavrsio zavrsila uradjeno obavljeno isporuceno dostavljeno predato",
    ("done", "sq"): "kryer kryet kryera perfunduar perfundova dorezuar",
    ("done", "en"): "done finished delivered completed",
    ("status", None): "status", ("status", "sq"): "statusi gjendja",
    ("pause", "sr"): "pauza pauzu odmor nedostupan nedostupna", ("pause", "sq"): "pushim pushoj pauze",
    ("pause", "en"): "off pause away unavailable",
    ("resume", "sr"): "aktivan aktivna dostupan dostupna", ("resume", "sq"): "aktiv aktive gati",
    ("resume", "en"): "on active available",
    ("help", "sr"): "pomoc meni komande uputstvo", ("help", "sq"): "ndihm* komandat",
    ("help", "en"): "help menu commands",
}

# Everyday words that show the language of a text and carry no intent.
LANGUAGE_CUES = {
    ("word", None): "i a to me te ne na o",
    ("word", "sr"): "treba trebam trebaju molim hvala dobar dobro dan vece jutro zdravo pozdrav za iz od sa kod "
                    "moze nemam nema je sam smo su bih sta kako gde kada koji koja sina cerku baku babu dedu "
                    "majku oca mene nas zahtev zahteva ulica ul broj hitno potrebno potrebna potreban zelim ali mi",
    ("word", "sq"): "dhe per nga nje nuk kam ka jam eshte ju lutem faleminderit pershendetje mire dita babin "
                    "babai nenen gjyshin gjyshen djalin vajzen une tek shtepi rruga urgjent duhet nevoj* qe e",
    ("word", "en"): "the for my please from need needs and of want some we you your with is are can urgent "
                    "street thanks thank hello hi good morning mother father son daughter",
}
LOCALE_OF_LANGUAGE = {"sr": "sr_Latn", "sq": "sq", "en": "en"}
# Meanings of the language keywords in WHOLE_MESSAGE_KEYWORDS: "sr" is Serbian in
# the script of the message, the others are locales.
LANGUAGE_CHOICES = ("sr", "sr_Latn", "sr_Cyrl", "sq", "en")
ALBANIAN_LETTERS = frozenset("ëç")
SERBIAN_LATIN_LETTERS = frozenset("čćđšž")

# A longer run of digits is a phone number or a date, not a request number.
MAX_REQUEST_NUMBER_DIGITS = 9
_TOKEN = re.compile(r"\d+|[^\W\d_]+")


@dataclass(frozen=True)
class CitizenIntent:
    """Intent, locale, document type and request number read from a citizen's SMS."""

    intent: str  # one of CITIZEN_INTENTS
    locale: str | None  # "sr_Latn", "sr_Cyrl", "sq", "en", or None when the text does not show a language
    document_type: str | None  # one of DOCUMENT_TYPES when the text names a document
    request_number: int | None


@dataclass(frozen=True)
class VolunteerCommand:
    """The command in a volunteer's SMS reply."""

    command: str  # one of VOLUNTEER_COMMANDS
    request_number: int | None


_WHOLE_MESSAGE = build_keyword_table(WHOLE_MESSAGE_KEYWORDS.items())
_CITIZEN = build_keyword_table(CITIZEN_KEYWORDS.items())
_DOCUMENT = build_keyword_table(DOCUMENT_CUES.items())
_VOLUNTEER = build_keyword_table(VOLUNTEER_KEYWORDS.items())
# The language of every word in the tables above, for detect_locale(). A word
# listed for two languages shows neither.
_LANGUAGE = build_keyword_table(
    (("word", language), words)
    for table in (WHOLE_MESSAGE_KEYWORDS, CITIZEN_KEYWORDS, DOCUMENT_CUES, VOLUNTEER_KEYWORDS, LANGUAGE_CUES)
    for (_, language), words in table.items()
)


def read_citizen_text(text: str) -> CitizenIntent:
    """Recognise the intent of a citizen's SMS.

    The locale is the language chosen for switch_language, and otherwise the
    language the text is written in, or None when the text does not show one.
    A request number is given for status and cancel_request only. "OTKAZI" or
    "ANULO" without a number gives cancel_request with request_number None.
    """
    tokens = _TOKEN.findall(fold(text))
    words = [token for token in tokens if not token.isdigit()]
    number = _request_number(tokens)

    chosen_locale = _read_language_choice(text, words)
    if chosen_locale is not None:
        return CitizenIntent("switch_language", chosen_locale, None, None)

    intent, document_type = _read_citizen_intent(text, words, number)
    if intent not in ("status", "cancel_request"):
        number = None
    return CitizenIntent(intent, detect_locale(text), document_type, number)


def read_volunteer_text(text: str) -> VolunteerCommand:
    """Recognise a volunteer's command and request number.

    The first word after any polite words must be the command, so that a
    question such as "kad da dođem?" is not taken for an acceptance. The number
    may stand anywhere.
    """
    tokens = _TOKEN.findall(fold(text))
    number = _request_number(tokens)
    words = [token for token in tokens if not token.isdigit() and token not in POLITE_WORDS]
    entry = look_up_keyword(words[0], _VOLUNTEER) if words else None
    if entry is not None:
        return VolunteerCommand(entry[0], number)
    return VolunteerCommand("help" if _is_question_mark(text) else "unknown", number)


def detect_locale(text: str) -> str | None:
    """Guess the locale a text is written in: "sr_Latn", "sr_Cyrl", "sq", "en", or None when unclear.

    Cyrillic means Serbian Cyrillic. Otherwise Albanian ë/ç or Serbian č ć đ š ž
    decide, and failing those, the language most known words belong to.
    """
    if script_of(text) == "Cyrl":
        return "sr_Cyrl"
    letters = set(text.lower())
    if letters & ALBANIAN_LETTERS:
        return "sq"
    if letters & SERBIAN_LATIN_LETTERS:
        return "sr_Latn"

    votes = Counter()
    for token in _TOKEN.findall(fold(text)):
        entry = look_up_keyword(token, _LANGUAGE)
        if entry is not None and entry[1] is not None:
            votes[entry[1]] += 1
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return LOCALE_OF_LANGUAGE[ranked[0][0]]


def read_menu_choice(text: str) -> int | None:
    """Return the option number in a menu reply ("2", " 2.", "#2", "２", "2️⃣"), or None for anything else."""
    folded = fold(text)
    if folded.isdigit() and len(folded) <= 2:
        return int(folded)
    return None


def _read_language_choice(text: str, words: list[str]) -> str | None:
    content = [word for word in words if word not in POLITE_WORDS | LANGUAGE_PREPOSITIONS]
    entries = [look_up_keyword(word, _WHOLE_MESSAGE) for word in content]
    choices = [entry[0] for entry in entries if entry is not None and entry[0] in LANGUAGE_CHOICES]
    if not choices or len(choices) != len(content):
        return None
    for script_choice in ("sr_Latn", "sr_Cyrl"):
        if script_choice in choices:
            return script_choice
    if choices[0] == "sr":
        return "sr_Cyrl" if script_of(text) == "Cyrl" else "sr_Latn"
    return choices[0]


def _read_citizen_intent(text: str, words: list[str], number: int | None) -> tuple[str, str | None]:
    content = [word for word in words if word not in POLITE_WORDS]
    whole = look_up_keyword(content[0], _WHOLE_MESSAGE) if len(content) == 1 else None
    if whole is not None and whole[0] in ("stop", "start"):
        # "STOP 159" cancels one request instead of opting out.
        if number is None:
            return whole[0], None
        if whole[0] == "stop":
            return "cancel_request", None

    intents = {entry[0] for entry in (look_up_keyword(word, _CITIZEN) for word in words) if entry is not None}
    document_type = _document_type(words)
    for intent in ("cancel_request", "status"):
        if intent in intents:
            return intent, None
    if document_type is not None:
        return "document", document_type
    for intent in ("delivery", "document", "help"):
        if intent in intents:
            return intent, None
    return ("help" if _is_question_mark(text) else "unknown"), None


def _document_type(words: list[str]) -> str | None:
    """Return the document type that the words name, or None.

    Any mention of a death gives death_registration, because DOCUMENT_TYPES has
    no death certificate. Birth words give birth_registration next to a
    registration word and birth_certificate otherwise. A newborn without a
    certificate word ("rodila se unuka") gives birth_registration.
    """
    concepts = {entry[0] for entry in (look_up_keyword(word, _DOCUMENT) for word in words) if entry is not None}
    if "death" in concepts:
        return "death_registration"
    if "birth" in concepts:
        if "registration" in concepts:
            return "birth_registration"
        return "birth_certificate"
    if "newborn" in concepts and "certificate" not in concepts:
        return "birth_registration"
    for concept, document_type in DOCUMENT_TYPE_OF_CONCEPT.items():
        if concept in concepts:
            return document_type
    return None


def _request_number(tokens: list[str]) -> int | None:
    for token in tokens:
        if token.isdigit() and len(token) <= MAX_REQUEST_NUMBER_DIGITS:
            return int(token)
    return None


def _is_question_mark(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and set(stripped) <= {"?", "？"}
