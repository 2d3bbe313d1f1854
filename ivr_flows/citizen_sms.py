"""The citizen's SMS menu as a pure state machine.

    (no step) ── FOOD ───────────> describe_delivery ── text ──> request created
       │      ── food + details ─────────────────────────────> request created
       │      ── DOCUMENT ───────> choose_document ── 1..8 ──> describe_document ── text ──> request created
       │      ── document named ───────────────────────────> describe_document
       └────── STATUS, HELP, STOP, START, language words: answered at once, from any step

A step that gets a keyword instead of its answer follows the keyword, so a
person who changes their mind is never stuck in a menu.
"""

from dataclasses import dataclass, field

from ivr_flows import texts
from ivr_flows.understanding import CitizenIntent, read_citizen_text, read_menu_choice

STEP_DESCRIBE_DELIVERY = "describe_delivery"
STEP_CHOOSE_DOCUMENT = "choose_document"
STEP_DESCRIBE_DOCUMENT = "describe_document"

# After this many answers that fit no menu, the menu is dropped and help is sent.
MAX_MENU_MISTAKES = 3

# Intents that are answered from any step, even in the middle of a menu.
ANYTIME_INTENTS = ("stop", "start", "help", "status", "switch_language", "cancel_request")


@dataclass(frozen=True)
class Reply:
    """A catalog text to send back, with its placeholders."""

    message: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CreateRequest:
    kind: str
    details: str
    document_type: str | None = None


@dataclass(frozen=True)
class ShowStatus:
    number: int | None


@dataclass(frozen=True)
class CancelRequest:
    number: int | None  # None: the person did not say which request


@dataclass(frozen=True)
class SetLocale:
    locale: str


@dataclass(frozen=True)
class SetOptOut:
    opted_out: bool


@dataclass(frozen=True)
class AddDetails:
    """More words for a request the citizen made a moment ago, such as the address sent on its own."""

    number: int
    text: str


@dataclass(frozen=True)
class Turn:
    """The result of one message: the next step, its data and what to do."""

    step: str | None
    data: dict
    actions: list


def handle_citizen_text(step: str | None, data: dict, text: str, recent_request: int | None = None) -> Turn:
    """Return the next step and actions for one citizen message.

    recent_request is the number of the citizen's open request made within
    the last hour, if any. A message that is no command is then read as more
    about that request. A pensioner who sends the address on its own means it so.
    """
    intent = read_citizen_text(text)

    if intent.intent in ANYTIME_INTENTS:
        return _answer_anytime(intent)
    if step == STEP_DESCRIBE_DELIVERY:
        return _finish(CreateRequest("delivery", text.strip()))
    if step == STEP_DESCRIBE_DOCUMENT:
        return _finish(CreateRequest("document", text.strip(), data.get("document_type")))
    if step == STEP_CHOOSE_DOCUMENT:
        return _choose_document(data, text, intent)
    if intent.intent not in ("delivery", "document") and recent_request is not None and text.strip():
        return Turn(None, {}, [AddDetails(recent_request, text.strip())])
    return _start(intent, text)


def _start(intent: CitizenIntent, text: str) -> Turn:
    if intent.intent == "delivery":
        if _has_details(text):
            return _finish(CreateRequest("delivery", text.strip()))
        return Turn(STEP_DESCRIBE_DELIVERY, {}, [Reply(texts.ASK_DELIVERY_DETAILS)])

    if intent.intent == "document":
        if intent.document_type is None:
            return Turn(STEP_CHOOSE_DOCUMENT, {"mistakes": 0}, [Reply(texts.DOCUMENT_MENU)])
        if _has_details(text):
            return _finish(CreateRequest("document", text.strip(), intent.document_type))
        return Turn(STEP_DESCRIBE_DOCUMENT, {"document_type": intent.document_type}, [Reply(texts.ASK_DOCUMENT_DETAILS)])

    return Turn(None, {}, [Reply(texts.NOT_UNDERSTOOD)])


def _choose_document(data: dict, text: str, intent: CitizenIntent) -> Turn:
    choice = read_menu_choice(text)
    if choice is not None and 1 <= choice <= len(texts.DOCUMENT_MENU_ORDER):
        document_type = texts.DOCUMENT_MENU_ORDER[choice - 1]
        return Turn(STEP_DESCRIBE_DOCUMENT, {"document_type": document_type}, [Reply(texts.ASK_DOCUMENT_DETAILS)])

    if intent.intent in ("delivery", "document"):
        return _start(intent, text)

    mistakes = int(data.get("mistakes", 0)) + 1
    if mistakes >= MAX_MENU_MISTAKES:
        return Turn(None, {}, [Reply(texts.HELP_MENU)])
    return Turn(STEP_CHOOSE_DOCUMENT, {"mistakes": mistakes}, [Reply(texts.DOCUMENT_MENU_AGAIN)])


def _answer_anytime(intent: CitizenIntent) -> Turn:
    if intent.intent == "stop":
        return Turn(None, {}, [SetOptOut(True), Reply(texts.STOPPED)])
    if intent.intent == "start":
        return Turn(None, {}, [SetOptOut(False), Reply(texts.STARTED)])
    if intent.intent == "help":
        return Turn(None, {}, [Reply(texts.HELP_MENU), Reply(texts.HELP_CONTACT)])
    if intent.intent == "status":
        return Turn(None, {}, [ShowStatus(intent.request_number)])
    if intent.intent == "cancel_request":
        return Turn(None, {}, [CancelRequest(intent.request_number)])
    if intent.intent == "switch_language" and intent.locale:
        return Turn(None, {}, [SetLocale(intent.locale), Reply(texts.LANGUAGE_SET)])
    return Turn(None, {}, [Reply(texts.HELP_MENU)])


def _finish(action: CreateRequest) -> Turn:
    # The confirmation with the request number is sent by the code that stores the request.
    return Turn(None, {}, [action])


def _has_details(text: str) -> bool:
    """Tell a bare keyword ("HRANA") from a message that already states what is needed."""
    words = [word for word in text.split() if any(ch.isalpha() for ch in word)]
    return len(words) >= 2
