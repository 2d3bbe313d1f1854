"""The script of a confirmation call: the news about a request, offered again on key 1.

    answered by a person ──> news, "press 1 to hear it again" ── 1 ──> news again (at most MAX_REPEATS times)
                                                             ── silence or another key ──> goodbye
    answered by a machine ──> the news once, short, then hang up
"""

from db.calls import NEWS_ACCEPTED
from ivr_flows.voice_verbs import Digits, Gather, Hangup, Pause, Prompt

MAX_REPEATS = 3
NEWS_PROMPTS = {NEWS_ACCEPTED: "news_accepted"}
DEFAULT_NEWS_PROMPT = "news_done"


def news_script(news: str, request_number: int, locale: str, answered_by: str | None,
                keys: str | None, repeats: int) -> list:
    """Return the verbs of one turn of a confirmation call.

    keys is None when the call was just answered, and the pressed keys (or ""
    for silence) after the offer to hear the news again.
    """
    news_parts = [Prompt("news_hello", locale), Prompt(NEWS_PROMPTS.get(news, DEFAULT_NEWS_PROMPT), locale),
                  Prompt("number_is", locale), Digits(str(request_number), locale)]
    if answered_by and answered_by.startswith("machine"):
        # An answering machine records only the start, so it gets the news once and no menu.
        return [*news_parts, Prompt("goodbye", locale), Hangup()]

    if keys is None or (keys == "1" and repeats < MAX_REPEATS):
        return [Gather((*news_parts, Pause(1), Prompt("news_repeat", locale)), timeout_seconds=8)]
    return [Prompt("goodbye", locale), Hangup()]
