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
    a about above after again against all almost also am an and any anybody anyone anything anyway are
    aren around as at away be became because been before being below between both but by can cannot cant
    could couldn did didn do does doesn doing don done down during each either else ever every few for
    from further get gets getting go goes going gone got had hadn has hasn have haven having he her here
    hers herself him himself his how however i if in into is isn it its itself just ll me might mine
    more most much must my myself neither no nor not now of off often on once one only or other others
    otherwise our ours ourselves out over own per please quite rather re really s same shall she should
    shouldn since so some somebody someone something sometimes somewhere soon still such t than that the
    their theirs them themselves then there these they thing things this those though through thus till
    to too toward towards under unless until up upon us ve very via was wasn we were weren what whatever
    when whenever where wherever whether which while who whoever whole whom whose why will with within
    without won would wouldn yes yet you your yours yourself hi hello hey thanks thank ok okay dear
    quick quickly curious wondering wonder wanted want wants like know knew tell told show give find let
    lets need needs mean means say says said see look looking heard hear think thought guess maybe
    perhaps probably actually anyhow btw pls plz whats hows im ive id youre dont doesnt isnt arent wont
    didnt au aux avec ce ces cet cette ceux celle celles celui ci dans de des du elle elles en est et
    etre eux il ils je la le les leur leurs lui ma mais meme mes moi mon ne nos notre nous ou par pas
    pour qu que qui quoi quel quelle quels quelles sa se ses son sur ta te tes toi ton tu un une vos
    votre vous y ont sont suis es sera seront serait fait faire font fais comment pourquoi quand combien
    ceci cela ca avoir ai avez avons etait etaient peut peux pouvez pourrait veux voudrais voulais
    aimerais souhaite savoir sais dire dis plus tres bien aussi donc alors ici chez entre vers sans sous
    deja encore toujours jamais rien tout tous toute toutes chaque autre autres quelque quelques lorsque
    puis car si oui non bonjour salut merci coucou svp stp bonsoir dites existe existe-t-il va vais vont
    allez voila voici vraiment juste contre selon depuis pendant avant apres durant parmi malgre envers
    afin lors aupres among besides beyond despite except including inside onto outside unlike versus
    """.split()
)


# Words that carry little meaning in a question about the plan: they may still help rank, but a question is
# not "explained" by them (see Matcher coverage).
CHATTER = frozenset(
    """
    charge responsible responsibility lead leads leading led run runs running manage manages managing
    pilote pilotes pilotage porte porteur gere responsable responsables chargé charge aides aider govt gov
    gouv yrs year years ans annee annees
    plan plans france french country make making made doing done way ways new many much help question
    questions ask asking learn latest news current currently update updates does actually really exactly
    about regarding concerning related planned planning measure measures action actions initiative
    initiatives government gouvernement etat francais francaise mesure mesures nouveau nouvelle
    nouvelles actuellement concernant sujet propos prevu prevue projet beaucoup aide aider
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


# -- printable text (issue 9: hostile input) -------------------------------------------------------------------
# Control characters (terminal escape sequences start with ESC or CSI), zero-width and bidi-override characters.
CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
MAX_NOTE = 2000  # characters kept of a status note


def printable(text: str) -> str:
    """NFC text with every control character replaced by a space; line breaks and tabs kept."""
    return CONTROL.sub(" ", unicodedata.normalize("NFC", text.replace("\r\n", "\n")))


def clean_note(note: str | None) -> str | None:
    """A status note fit to store and show: printable, trimmed, at most MAX_NOTE characters; None when empty."""
    if note is None:
        return None
    note = "\n".join(" ".join(line.split()) for line in printable(note[: MAX_NOTE * 2]).splitlines()).strip()
    return note[:MAX_NOTE].rstrip() or None
