"""Source texts (English msgids) of every SMS; translations live in the catalogs.

Texts are written for an elderly reader: short sentences, the request number
always present where there is one. Keep each within two SMS segments in every
language; a test measures them.
"""

from ivr_flows.catalog import N_, NP_

# Citizen: menus and questions.
HELP_MENU = N_(
    "Hotline. Write FOOD for food and medicine, DOCUMENT for papers from the municipality, "
    "STATUS for your request. Write STOP to stop messages."
)
HELP_CONTACT = N_("{centre}. To speak to a person, call {phone}.")
NOT_UNDERSTOOD = N_(
    "Sorry, we did not understand. Write FOOD for food and medicine, or DOCUMENT for papers."
)
ASK_DELIVERY_DETAILS = N_("What do you need? Write it in one message, with your address.")
DOCUMENT_MENU = N_(
    "Which document? Reply with a number: 1 birth certificate, 2 marriage certificate, "
    "3 citizenship, 4 household, 5 residence, 6 register a birth, 7 register a death, 8 other."
)
DOCUMENT_MENU_AGAIN = N_("Please reply with one number from 1 to 8.")
ASK_DOCUMENT_DETAILS = N_(
    "Write the name of the person the document is for, and your address, in one message."
)

# Citizen: what happened to a request.
REQUEST_RECEIVED = N_(
    "Thank you. Your request number is {number}. A volunteer will contact you soon."
)
REQUEST_ACCEPTED = N_(
    "Good news: volunteer {volunteer} took your request {number}. They will contact you soon."
)
REQUEST_DONE = N_("Your request {number} is done. Thank you for calling the hotline.")
REQUEST_ALREADY_OPEN = N_("We already have this request, number {number}.")
DETAILS_ADDED = N_("Thank you. We added this to your request {number}.")
REQUEST_CANCELLED = N_("Your request {number} is cancelled.")
REQUEST_ESCALATED = N_(
    "Your request {number} is with our staff. They will contact you soon."
)
STATUS_NONE = N_("You have no open request. Write FOOD or DOCUMENT to make one.")
STATUS_NOT_FOUND = N_("We found no request number {number} for your phone.")
STATUS_WAITING = N_("Your request {number} is received. We are looking for a volunteer.")
STATUS_ACCEPTED = N_("Your request {number} is taken by volunteer {volunteer}.")
STATUS_DONE = N_("Your request {number} is done.")
STATUS_CANCELLED = N_("Your request {number} was cancelled.")
OPEN_REQUESTS = NP_("You have {count} open request: {numbers}.", "You have {count} open requests: {numbers}.")
CANCEL_HOW = N_("To cancel request {number}, write CANCEL {number}.")
CANCEL_NOT_POSSIBLE = N_("Request {number} cannot be cancelled now. Please call the hotline.")

# Citizen: subscription and language.
STOPPED = N_("You will get no more messages. Write START to come back.")
STARTED = N_("Welcome back. Write FOOD or DOCUMENT to ask for help.")
LANGUAGE_SET = N_("We will write to you in English.")

# Volunteer.
OFFER = N_("New request {number}: {summary}. Reply YES {number} to take it, or NO {number}.")
TASK_DETAILS = N_(
    "Request {number} is yours. Citizen: {phone}. Request: {details}. "
    "When finished, reply DONE {number}."
)
OFFER_TAKEN = N_("Request {number} was taken by another volunteer. Thank you.")
ALREADY_TAKEN = N_("Sorry, request {number} was already taken by another volunteer.")
ALREADY_YOURS = N_("Request {number} is already yours.")
NOT_OFFERED = N_("Request {number} was not offered to you.")
REQUEST_CLOSED = N_("Request {number} is already closed.")
WHICH_REQUEST = N_("Which request? Reply with its number, for example YES {number}.")
NO_OFFER = N_("You have no open offer right now. Thank you.")
DECLINED = N_("All right, request {number} goes to someone else. Thank you.")
DONE_THANKS = N_("Thank you! Request {number} is closed.")
NOT_YOUR_TASK = N_("Request {number} is not assigned to you.")
VOLUNTEER_STATUS = N_("Open offers: {offers}. Your tasks: {tasks}. {paused}")
VOLUNTEER_PAUSED_NOTE = N_("You are on a break.")
VOLUNTEER_ACTIVE_NOTE = N_("You are active.")
PAUSED = N_("You are on a break. You will get no offers. Write ON to come back.")
RESUMED = N_("Welcome back. You will get offers again.")
VOLUNTEER_HELP = N_(
    "Reply YES and the number to take a request, NO to pass, DONE when finished, "
    "OFF for a break, ON to come back."
)

# Short names of request kinds and documents, used inside other texts.
SUMMARY_DELIVERY = N_("food or medicine")
DOCUMENT_NAMES = {
    "birth_certificate": N_("birth certificate"),
    "marriage_certificate": N_("marriage certificate"),
    "citizenship_certificate": N_("citizenship certificate"),
    "family_union_certificate": N_("household certificate"),
    "residence_certificate": N_("residence certificate"),
    "birth_registration": N_("birth registration"),
    "death_registration": N_("death registration"),
    "other_document": N_("other document"),
}
DOCUMENT_MENU_ORDER = (
    "birth_certificate",
    "marriage_certificate",
    "citizenship_certificate",
    "family_union_certificate",
    "residence_certificate",
    "birth_registration",
    "death_registration",
    "other_document",
)

# Volunteer: changes to a task they hold.
TASK_CANCELLED = N_("Request {number} was cancelled by the citizen. You do not need to do it.")
TASK_CANCELLED_BY_STAFF = N_("Request {number} was cancelled by the hotline staff. You do not need to do it.")
TASK_DETAILS_ADDED = N_("Request {number}: the citizen adds: {details}")
TASK_RELEASED_BY_STAFF = N_("The hotline staff gave request {number} to another volunteer. You do not need to do it.")

# Coordinator alerts and volunteer reminders.
ESCALATED_COORDINATOR = N_("Request {number} needs you: no volunteer took it. {summary}. Citizen: {phone}.")
OVERDUE_COORDINATOR = N_("Request {number} is still open after {hours} hours. Volunteer: {volunteer}.")
CITIZEN_STOPPED_COORDINATOR = N_("The citizen of request {number} wrote STOP and gets no more SMS. Please call: {phone}.")
TASK_REMINDER = N_("Reminder: request {number} is yours. When it is finished, reply DONE {number}.")
