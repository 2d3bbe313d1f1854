"""The notes the system writes on a request's timeline, and how to read one back in another language.

A note is stored filled in and in English, so the database reads the same
for every developer and every log. The console matches a stored note
against these templates and shows it in the coordinator's language from the
same gettext catalogs as every other text.
"""

import re
from collections.abc import Callable


def N_(message: str) -> str:
    """Mark a template for extraction; the console translates it when it shows the note."""
    return message


WAVE_OFFERED = N_("wave {wave}, volunteers offered: {count}")
NO_ACCEPT_AFTER_WAVES = N_("no volunteer accepted after {waves} waves")
NO_VOLUNTEER_AVAILABLE = N_("no volunteer with the right skill and language is available at this hour")
OFFER_DECLINED = N_("declined the offer")
CITIZEN_OPTED_OUT = N_("citizen opted out of SMS")
CANCELLED_BY_SMS = N_("cancelled by SMS")
VOLUNTEER_PAUSED = N_("volunteer paused")
VOLUNTEER_REMOVED = N_("volunteer removed")
VOICE_MESSAGE_FOR_STAFF = N_("voice message for the staff")

SYSTEM_NOTES = (WAVE_OFFERED, NO_ACCEPT_AFTER_WAVES, NO_VOLUNTEER_AVAILABLE, OFFER_DECLINED, CITIZEN_OPTED_OUT,
                CANCELLED_BY_SMS, VOLUNTEER_PAUSED, VOLUNTEER_REMOVED, VOICE_MESSAGE_FOR_STAFF)


def _pattern(template: str) -> re.Pattern:
    # "wave {wave}, ..." becomes "wave (?P<wave>\d+), ..." with everything else
    # literal. Every placeholder of a system note is a number, so a person's
    # note that only starts like a template is never taken for one.
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>\\d+)"
                              for index, part in enumerate(parts)))


_PATTERNS = tuple((template, _pattern(template)) for template in SYSTEM_NOTES)


def translate_note(note: str, translate: Callable[[str], str]) -> str:
    """Return a stored system note in the language of translate; any other note (a person's words) as stored."""
    for template, pattern in _PATTERNS:
        match = pattern.fullmatch(note)
        if match:
            return translate(template).format(**match.groupdict())
    return note
