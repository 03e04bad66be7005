"""Which language, English or French, one short message is written in.

The statistical work is done by lingua (lingua-language-detector), restricted to English and French and built
once per process. Two cheap corrections make it fit chat messages about a French plan:

- names of the plan's institutions and programmes ("Cour des comptes", "Haute Autorité pour la transparence…")
  are French in English sentences too, so they are blanked before detection;
- on a few words the model is often sure and wrong ("transparence du lobbying" is English to it because of
  "-ing"), and SMS-style French without accents ("c koi", "jai vu", "qd", "pr") or chat English ("thx",
  "pls") are words no corpus model knows well. So the model's log-odds are capped, and each unambiguous
  function or chat word of a language (net of the other's) counts a little more than that cap; accents
  outside names count as one French word. With no such word, the model decides.

`detect()` returns None when a message gives no clue (an id, an acronym, one word found in both languages):
the caller then keeps the chat's current language.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable

from bot.plan.text import fold
from knowledge.loader import default_knowledge

# Unambiguous words of each language as people type them in chats (folded: no accents, lower case; apostrophes
# split). Words shared by both languages ("on", "me", "a", "plan", "data", "ok", "cool") are in neither list.
FRENCH_CUES = frozenset(
    """
    le la les des du un une est et ce ces cet cette ca cest qui quoi koi quand qd pour pr pourquoi pkoi pq
    avec sur dans ds ya il ils elle elles je jai tu vous nous que quel quelle quels quelles combien comment
    ou pas fait font bcp qqch qqn slt mrc stp svp dc jsuis jveux jcomprends jcapte merci bonjour salut oui
    truc parle montre moi mon ma mes suivre fini termine finit sont ont aussi encore deja toujours tjrs
    mais donc alors au aux leur lui voir veux voudrais peux px peut sais savoir dire dis qu jusqu lorsqu
    puisqu quoi quel ministere depenses donnees sante gouv gouvernement engagement engagements aide
    parcourir abonnements frequence langue oublier occupe soccupe sen cest-a-dire est-ce qu est-il
    """.split()
)
ENGLISH_CUES = frozenset(
    """
    the what who is are of to and about how when where which why does do did it its this that any anything
    my i you your please pls plz thanks thank thx tell show with for in can there yet done finished leads
    lead hi hello hey wat abt u r tho wanna gonna whats hows doing been being was were has have will would
    should could get got some something they them their we our from by at be an if just also much many
    stuff things thing news follow unfollow help browse subscriptions frequency language forget privacy
    """.split()
)
_WORD = re.compile(r"[a-z]+")
_ELISION = re.compile(r"\b([cdjlmnst]|qu)['’`´]")
_FRENCH_LETTERS = set("éèêëàâîïôûùüçœæ")
_ADDRESS = re.compile(r"\S*(?:https?://|www\.|\.(?:fr|com|org|net|eu|gouv)\b)\S*", re.IGNORECASE)

MODEL_CAP = 2.0  # log-odds: the model alone says at most "88 % sure"
CUE_WEIGHT = 2.5  # one net cue word outweighs the model's capped opinion
UNSURE = 0.4  # |score| below this (model ~60/40, no cue): no decision


class LanguageDetector:
    """Thread-safe EN/FR detector; the lingua model loads on first use (a few tens of milliseconds)."""

    def __init__(self, neutral_names: Iterable[str] = ()):
        # Longest first, so "Cour des comptes" goes before "Cour".
        names = [n for n in neutral_names if len(n) >= 4]
        self._names = _alternation({fold(n) for n in names})  # on folded text, for the words
        self._accented_names = _alternation({n.casefold() for n in names})  # on the typed text, for accents
        self._model = None
        self._lock = threading.Lock()

    def _detector(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from lingua import Language, LanguageDetectorBuilder

                    # Low-accuracy mode uses trigrams only: ~12 MB and ~25 ms to load instead of ~90 MB and
                    # ~0.5 s, p99 0.2 ms instead of 1.5 ms, and with the cue words it is as accurate on chat
                    # messages (benchmarks/bench_language.py). Lingua caches the model process-wide.
                    builder = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.FRENCH)
                    self._model = (builder.with_low_accuracy_mode().build(), Language.FRENCH)
        return self._model

    def french_probability(self, text: str) -> float:
        """The model's probability that `text` is French (0.5 when it cannot tell)."""
        model, french = self._detector()
        values = model.compute_language_confidence_values(text)
        for value in values:
            if value.language == french:
                return value.value
        return 0.5

    def detect(self, text: str) -> str | None:
        """'en', 'fr', or None when the message says nothing about its language."""
        text = _ADDRESS.sub(" ", text)
        folded = fold(text)
        if self._names:
            folded = self._names.sub(" ", folded)
        folded = _ELISION.sub(r"\1 ", folded)
        words = _WORD.findall(folded)
        if not any(len(w) > 1 for w in words):
            return None
        cues = sum(w in FRENCH_CUES for w in words) - sum(w in ENGLISH_CUES for w in words)
        # Accents left after blanking names are French words ("données", "ça", "où").
        typed = text.casefold()
        if self._accented_names:
            typed = self._accented_names.sub(" ", typed)
        if any(ch in _FRENCH_LETTERS for ch in typed):
            cues += 1
        if len(words) == 1 and not cues:
            return None  # "lobbying", "transparence", "HATVP": one word is no evidence of a language
        p = min(max(self.french_probability(" ".join(words)), 1e-6), 1 - 1e-6)
        # The model's log-odds, capped: on a few words it is often sure and wrong ("transparence du lobbying"
        # is English to it because of "-ing"); each net cue word counts a little more than the cap.
        score = max(-MODEL_CAP, min(MODEL_CAP, math.log(p / (1 - p)))) + CUE_WEIGHT * cues
        if abs(score) < UNSURE:
            return None
        return "fr" if score > 0 else "en"


def _alternation(names: set[str]) -> re.Pattern | None:
    """One regex matching any of the names as whole words, longest first ("Cour des comptes" before "Cour")."""
    if not names:
        return None
    ordered = sorted(names, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in ordered) + r")\b")


_default: LanguageDetector | None = None


def default_detector() -> LanguageDetector:
    """A process-wide detector that blanks the bundled plan's institution names."""
    global _default
    if _default is None:
        _default = detector_for(default_knowledge())
    return _default


def detector_for(kb) -> LanguageDetector:
    names: list[str] = []
    for inst in kb.institutions.values():
        names += [inst.name.en, inst.name.fr, *inst.acronyms]
    return LanguageDetector(names)
