"""Source texts (English msgids) of every voice prompt, keyed by the name of its audio file.

A caller may be 80, hear badly and press keys slowly: one idea per sentence,
the key at the end of the sentence that names it. The _SIMPLE variants are
what a caller hears after silence: shorter, plainer, with pauses between.

A recorded prompt is the file <key>.wav or <key>.mp3 in the language's audio
folder. A prompt that a number follows ("Your request number is") ends
without a full stop, so that it reads as one sentence with the number spoken
after it, as digit clips in a recorded language.
"""

from ivr_flows.catalog import N_

PROMPTS = {
    # The language menu of a new caller: each sentence is spoken in its own language.
    "language_sr": N_("For Serbian, press 1."),
    "language_sq": N_("For Albanian, press 2."),
    "language_en": N_("For English, press 3."),
    "language_sr_simple": N_("Serbian: press 1."),
    "language_sq_simple": N_("Albanian: press 2."),
    "language_en_simple": N_("English: press 3."),

    # Main menu.
    "welcome": N_("Welcome to the help line."),
    "main_documents": N_("For documents from the municipality, press 1."),
    "main_delivery": N_("For food, medicine and supplies, press 2."),
    "main_status": N_("To hear about your request, press 3."),
    "main_person": N_("To speak to a person, press 0."),
    "main_language": N_("For another language, press 9."),
    "main_documents_simple": N_("Documents: press 1."),
    "main_delivery_simple": N_("Food or medicine: press 2."),
    "main_status_simple": N_("Your request: press 3."),
    "main_person_simple": N_("A person: press 0."),
    "main_language_simple": N_("Another language: press 9."),

    # Which document, in the order of texts.DOCUMENT_MENU_ORDER.
    "document_question": N_("Which document do you need?"),
    "document_1": N_("For a birth certificate, press 1."),
    "document_2": N_("For a marriage certificate, press 2."),
    "document_3": N_("For a citizenship certificate, press 3."),
    "document_4": N_("For a household certificate, press 4."),
    "document_5": N_("For a residence certificate, press 5."),
    "document_6": N_("To register a birth, press 6."),
    "document_7": N_("To register a death, press 7."),
    "document_8": N_("For another document, press 8."),
    "document_question_simple": N_("Choose the document with one key."),
    "document_1_simple": N_("Birth certificate: press 1."),
    "document_2_simple": N_("Marriage certificate: press 2."),
    "document_3_simple": N_("Citizenship: press 3."),
    "document_4_simple": N_("Household: press 4."),
    "document_5_simple": N_("Residence: press 5."),
    "document_6_simple": N_("A new baby: press 6."),
    "document_7_simple": N_("A death: press 7."),
    "document_8_simple": N_("Something else: press 8."),

    # Recording what the caller needs.
    "record_document": N_(
        "After the tone, say the name of the person the document is for, your address and a phone number. "
        "Press the hash key when you are done."
    ),
    "record_document_simple": N_(
        "Speak after the tone. Say the name, your address and a phone number. Then press the hash key."
    ),
    "record_delivery": N_(
        "After the tone, say what you need and your address. Press the hash key when you are done."
    ),
    "record_delivery_simple": N_(
        "Speak after the tone. Say what you need and where you live. Then press the hash key."
    ),
    "record_message": N_(
        "After the tone, say what you need, your address and your phone number. "
        "Press the hash key when you are done."
    ),
    "record_message_simple": N_(
        "Speak after the tone. Say what you need and where you live. Then press the hash key."
    ),
    "not_heard": N_("We did not hear you."),

    # Mistakes and silence.
    "no_key": N_("We did not hear a key."),
    "wrong_key": N_("That key is not on the menu."),

    # A person, or a message for the staff.
    "connecting": N_("Please wait. We are putting you through to a person."),
    "staff_away": N_("Our staff are not at work now."),
    "nobody_answered": N_("Nobody can answer right now."),
    "hidden_number": N_(
        "We cannot see your phone number, so we cannot call you back. "
        "Please call again from a phone that shows its number."
    ),

    # A request was made.
    "thanks_request": N_("Thank you. We have your request."),
    "thanks_message": N_("Thank you. Our staff will listen to your message and call you back."),
    "number_is": N_("Your request number is"),
    "number_again": N_("Once more, your request number is"),
    "will_call_back": N_("We will call you when a volunteer takes your request."),
    "goodbye": N_("Thank you for calling. Goodbye."),
    "could_not_hear": N_("We could not hear you. Please call again. Goodbye."),
    "technical_problem": N_("Sorry, the line has a problem. Please call again later."),

    # The status of a request.
    "status_none": N_("We found no open request for your phone."),
    "status_type_number": N_("Type your request number, then press the hash key."),
    "status_type_number_simple": N_("Press the digits of the number. Then press the hash key."),
    "status_not_found": N_("We found no request with this number for your phone."),
    "status_request": N_("Request number"),
    "status_waiting": N_("We are looking for a volunteer for it."),
    "status_accepted": N_("A volunteer has taken it."),
    "status_done": N_("It is done."),
    "status_cancelled": N_("It was cancelled."),
    "status_with_staff": N_("Our staff are working on it."),
    "accepted_today": N_("The volunteer took it today."),
    "accepted_yesterday": N_("The volunteer took it yesterday."),
    "accepted_this_week": N_("The volunteer took it this week."),
    "accepted_earlier": N_("The volunteer took it more than a week ago."),
    "status_another": N_("To hear about another request, press 1."),
    "status_main_menu": N_("For the main menu, press 2."),
    "status_another_simple": N_("Another request: press 1."),
    "status_main_menu_simple": N_("Main menu: press 2."),

    # Confirmation calls.
    "news_hello": N_("Hello, this is the help line, with news about your request."),
    "news_accepted": N_("A volunteer has taken your request. The volunteer will call you soon."),
    "news_done": N_("Your request is done."),
    "news_repeat": N_("To hear this again, press 1."),

    # Digits, played one by one to read a number in a recorded language.
    "digit_0": N_("zero"),
    "digit_1": N_("one"),
    "digit_2": N_("two"),
    "digit_3": N_("three"),
    "digit_4": N_("four"),
    "digit_5": N_("five"),
    "digit_6": N_("six"),
    "digit_7": N_("seven"),
    "digit_8": N_("eight"),
    "digit_9": N_("nine"),
}

# An SMS to the on-duty coordinator, not a prompt.
VOICE_MESSAGE_ALERT = N_("Request {number}: a caller ({phone}) left a voice message for the staff. Please call back.")

DIGIT_KEYS = tuple(f"digit_{digit}" for digit in range(10))
