"""Text normalisation shared by the matcher: accents, elisions, tokens, English and French stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_EN = snowballstemmer.stemmer("english")
_FR = snowballstemmer.stemmer("french")

_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’`´]", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9]+")

STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be been being below between both but by can
    could did do does doing done down during each few for from further get gets getting go going had has have
    having he her here hers him his how i if in into is it its itself just know let me more most my no nor not
    now of off on once only or other our ours out over own please same she should so some such tell than that
    the their theirs them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours anything something thing things want
    wants like tell show give find info information anyone someone us does doing done happening happen
    whats what's hows
    au aux avec ce ces cet cette dans de des du elle elles en est et etre eux il ils je la le les leur leurs lui
    ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui quoi quel quelle quels quelles
    sa se ses son sur ta te tes toi ton tu un une vos votre vous y ont sont suis es sera seront fait faire
    font fais comment pourquoi quand combien est-ce ceci cela ca sont avoir ai as avez avons etait etaient
    peut peux pouvez veux voudrais aimerais savoir dire dis moi-meme se-t il-t-il plus tres bien aussi donc
    alors ici la-bas chez entre vers sans sous
    """.split()
)


# Words that carry little meaning in a question about the plan: they may still help rank, but a question is
# not "explained" by them (see Matcher coverage).
CHATTER = frozenset(
    """
    plan plans france french country make making made doing done way ways new many much help question questions
    ask asking learn latest news current currently update updates does actually really exactly about regarding
    concerning related planned planning measure measures action actions initiative initiatives government
    gouvernement etat francais francaise mesure mesures nouveau nouvelle nouvelles actuellement concernant
    sujet propos prevu prevue projet beaucoup aide aider question questions
    """.split()
)


def fold(text: str) -> str:
    """Lowercase, strip accents, turn elisions (l', d', qu') into spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("œ", "oe").replace("æ", "ae")
    return _ELISION.sub(" ", text)


def tokens(text: str) -> list[str]:
    """Folded word tokens, stopwords kept (phrases need them)."""
    return _TOKEN.findall(fold(text))


def compact(text: str) -> str:
    """Letters and digits only: 'G_NIUS', 'g-nius' and 'GNIUS' all become 'gnius'."""
    return "".join(_TOKEN.findall(fold(text)))


@lru_cache(maxsize=65536)
def stems(token: str) -> tuple[str, ...]:
    """The English and French stems of a folded token (one or two distinct values)."""
    en = _EN.stemWord(token)
    fr = _FR.stemWord(token)
    return (en,) if en == fr else (en, fr)


def content_tokens(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]
