"""Follow-ups: right after an item is shown, "who leads it?", "is it finished?", « et c'est pour quand ? »,
"follow it" / « suivre » refer to that item.

The item and the time it was shown are stored with the chat (chats.context_item / context_at), so any process
serving the chat sees them. Detection is conservative: a message is a follow-up only when every word in it is
a follow-up word ("who", "leads", "quand", "suivre"…) or filler ("it", "ça", "et", "please"…). A message
naming anything else ("who leads the lobbying register?") is a new question.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from bot.plan.text import fold


class Intent(StrEnum):
    LEADS = "leads"
    STATUS = "status"
    WHEN = "when"
    FOLLOW = "follow"


# Folded words (no accents) of each intent.
_INTENT_WORDS: dict[Intent, frozenset[str]] = {
    Intent.FOLLOW: frozenset("follow subscribe suivre suis abonner sabonner abonne alerte alertes".split()),
    Intent.WHEN: frozenset(
        """when deadline deadlines date dates timeline schedule until due long quand qd kan echeance echeances
        calendrier delai delais end ends ending fin finit""".split()
    ),
    Intent.LEADS: frozenset(
        """who leads lead leading charge responsible runs run behind pilots pilot implements implementing
        handles handling manages managing owns owner doing qui ki pilote pilotes porte porteur gere occupe soccupe
        responsable responsables mene menent""".split()
    ),
    Intent.STATUS: frozenset(
        """finished finish done over complete completed started ongoing status progress stand standing going
        fini finie termine terminee acheve achevee fait faite statut avancement avance commence commencee
        cours""".split()
    ),
}
# Words that say nothing on their own: pronouns standing for the item, small words, politeness, SMS forms.
_FILLER = frozenset(
    """
    it its this that is was has been be the a an and so ok okay please pls plz thanks then now yet already
    does do did will would can could i to want wanna like id love me for of by at in on still
    et alors donc ok oui merci stp svp c cest ce ca cela ceci est il elle le la les l en s y a au on
    je j veux voudrais voudrai aimerais peux pourrais moi m pour pr quoi de du des d qu que ou en
    dans mais bien deja toujours encore pas ete sera sont se ses son sa how what
    """.split()
)
_WORD = re.compile(r"[a-z]+")
MAX_WORDS = 10


def classify(text: str) -> Intent | None:
    """The follow-up this message asks for, or None when it is not a follow-up (or is about something else)."""
    words = _WORD.findall(fold(text).replace("’", " ").replace("'", " "))
    if not words or len(words) > MAX_WORDS:
        return None
    found: set[Intent] = set()
    for word in words:
        intents = {intent for intent, vocabulary in _INTENT_WORDS.items() if word in vocabulary}
        if intents:
            found |= intents
        elif word not in _FILLER:
            return None  # a content word: this is a question of its own
    if not found:
        # « où en est-on ? », « ça en est où ? »: only filler, but the shape asks for the status.
        return Intent.STATUS if "ou" in words and "en" in words else None
    # FOLLOW before WHEN before LEADS before STATUS: « quand est-ce que c'est fini ? » asks when.
    return next(intent for intent in (Intent.FOLLOW, Intent.WHEN, Intent.LEADS, Intent.STATUS) if intent in found)


def active_item(item: str | None, shown_at: datetime | None, now: datetime, minutes: float) -> str | None:
    """The chat's context item while it is fresh, else None."""
    if not item or shown_at is None or minutes <= 0:
        return None
    return item if now - shown_at <= timedelta(minutes=minutes) else None
