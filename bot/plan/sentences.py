"""The sentence that answers a question, taken from the item's own texts.

Every item offers candidate sentences (its summary, promised figures, plan passage, aims, a topic's answer —
see SOURCES, a list later sources such as evidence can join). Each is kept in English and, when we have it, in
French, aligned sentence by sentence. They are ranked against the question: the question's words found in the
sentence (English and French stems, weighted by how rare they are among all sentences of the plan) and what
the question asks for — a count, a date, a duration, a frequency, an institution or a place.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from cachetools import LRUCache
from sentencex import segment

from bot.plan.text import CHATTER, compact, content_tokens, stems
from knowledge.loader import KnowledgeBase
from knowledge.schema import Action, Commitment, Terms, Topic

Item = Commitment | Action | Topic

# -- sentences ------------------------------------------------------------------------------------------------

# Abbreviations the segmenter may take for a sentence end: the next piece is glued back on.
_ABBREVIATIONS = frozenset(
    "e.g i.e cf art arts n no nos p pp ex vol ch al env approx av bd st dr m mme mlle mr mrs ms prof fig "
    "op min max resp".split()
)
# "etc." and a web address ("….gouv.fr.") end a sentence when a capital follows: the segmenter keeps them.
_END_THEN_CAPITAL = re.compile(
    r"(?:(?<=\betc\.)|(?<=\.fr\.)|(?<=\.com\.)|(?<=\.org\.)|(?<=\.eu\.)|(?<=\.net\.))\s+(?=[A-ZÀ-ÖØ-Þ])"
)
_SPACES = re.compile(r"[ \t\r\n]+")
_LAST_WORD = re.compile(r"([A-Za-zÀ-ÿ.]+)\.\s*$")


@lru_cache(maxsize=4096)
def split_sentences(text: str, lang: str = "en") -> tuple[str, ...]:
    """Sentences of a text (sentencex), keeping abbreviations ("e.g.", "art.", "n°", "M.") and decimals whole;
    paragraphs always end a sentence, and so do "etc." and a web address followed by a capital."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = _SPACES.sub(" ", paragraph).strip()  # (no-break spaces of French typography stay)
        if not paragraph:
            continue
        glued: list[str] = []
        for piece in segment(lang, paragraph):
            piece = piece.strip()
            if not piece:
                continue
            if glued and _ends_with_abbreviation(glued[-1]):
                glued[-1] = f"{glued[-1]} {piece}"
            else:
                glued.append(piece)
        for sentence in glued:
            pieces += [p.strip() for p in _END_THEN_CAPITAL.split(sentence) if p.strip()]
    return tuple(pieces)


def _ends_with_abbreviation(piece: str) -> bool:
    match = _LAST_WORD.search(piece)
    return bool(match) and match.group(1).casefold().rstrip(".") in _ABBREVIATIONS


def align(english: list[str], french: list[str]) -> list[tuple[str, str]]:
    """Pair English sentences with their French translation. Translations mostly keep one sentence for one,
    but sometimes join or split two: a small alignment on relative lengths (in the spirit of Gale & Church)
    allows 1-1, 2-1 and 1-2 pairs and picks the cheapest path."""
    if len(english) == len(french):
        return list(zip(english, french, strict=True))
    total_en = sum(map(len, english)) or 1
    total_fr = sum(map(len, french)) or 1
    moves = ((1, 1, 0.0), (2, 1, 0.05), (1, 2, 0.05))
    inf = math.inf
    cost = [[inf] * (len(french) + 1) for _ in range(len(english) + 1)]
    back: dict[tuple[int, int], tuple[int, int]] = {}
    cost[0][0] = 0.0
    for i in range(len(english) + 1):
        for j in range(len(french) + 1):
            if cost[i][j] == inf:
                continue
            for di, dj, penalty in moves:
                ni, nj = i + di, j + dj
                if ni > len(english) or nj > len(french):
                    continue
                share_en = sum(len(s) for s in english[i:ni]) / total_en
                share_fr = sum(len(s) for s in french[j:nj]) / total_fr
                step = cost[i][j] + abs(share_en - share_fr) + penalty
                if step < cost[ni][nj]:
                    cost[ni][nj] = step
                    back[(ni, nj)] = (i, j)
    if cost[len(english)][len(french)] == inf:  # too different to align: one block each
        return [(" ".join(english), " ".join(french))]
    pairs: list[tuple[str, str]] = []
    i, j = len(english), len(french)
    while (i, j) != (0, 0):
        pi, pj = back[(i, j)]
        pairs.append((" ".join(english[pi:i]), " ".join(french[pj:j])))
        i, j = pi, pj
    return pairs[::-1]


@dataclass(frozen=True)
class Sentence:
    """One candidate answer, in English and (when we have it) French."""

    en: str
    fr: str | None
    source: str  # which text of the item it comes from (see SOURCES)

    def text(self, lang: str) -> str:
        return self.fr if lang == "fr" and self.fr else self.en


def sentences_of(source: str, en: str, fr: str | None) -> list[Sentence]:
    english = list(split_sentences(en, "en"))
    if not fr:
        return [Sentence(s, None, source) for s in english]
    return [Sentence(e, f, source) for e, f in align(english, list(split_sentences(fr, "fr")))]


def _fragment(text: str) -> str:
    """A promise ("an eight-month audit timeline target") read as a sentence."""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


# A source turns an item into (en, fr) texts; each text is split into sentences. Later sources (an item's
# evidence) are added with `SOURCES.append(...)` or `add_source`.
Source = Callable[[KnowledgeBase, Item], Iterable[tuple[str, str | None]]]


def _summary(kb: KnowledgeBase, item: Item) -> Iterable[tuple[str, str | None]]:
    if isinstance(item, Action | Commitment):
        yield item.summary.en, item.summary.fr
    else:
        yield item.answer.en, item.answer.fr


def _promises(kb: KnowledgeBase, item: Item) -> Iterable[tuple[str, str | None]]:
    for promise in getattr(item, "promises", ()):
        yield _fragment(promise.en), _fragment(promise.fr)
    for aim in getattr(item, "aims", ()):
        yield _fragment(aim.en), _fragment(aim.fr)


def _after(kb: KnowledgeBase, item: Item) -> Iterable[tuple[str, str | None]]:
    """A topic's "since the plan" facts (what came next), after the plan's own texts."""
    for later in getattr(item, "after", ()):
        yield later.text.en, later.text.fr


def _plan_passage(kb: KnowledgeBase, item: Item) -> Iterable[tuple[str, str | None]]:
    if isinstance(item, Action):
        yield item.text.en, item.text.fr
    elif isinstance(item, Commitment):
        yield item.issues.en, item.issues.fr


SOURCES: list[tuple[str, Source]] = [("summary", _summary), ("promise", _promises), ("plan", _plan_passage),
                                     ("after", _after)]


def candidates(kb: KnowledgeBase, item: Item) -> list[Sentence]:
    """Every candidate sentence of an item, in the order of SOURCES (no sentence twice)."""
    found: list[Sentence] = []
    seen: set[str] = set()
    for name, source in SOURCES:
        for en, fr in source(kb, item):
            for sentence in sentences_of(name, en, fr):
                key = compact(sentence.en)
                if key and key not in seen:
                    seen.add(key)
                    found.append(sentence)
    return found


# -- what the question asks for -------------------------------------------------------------------------------


class Intent(StrEnum):
    FREQUENCY = "frequency"
    DURATION = "duration"
    MONEY = "money"
    WHEN = "when"
    COUNT = "count"
    WHO = "who"
    WHERE = "where"


# Patterns run on plain text (see _plain); the first intent found wins.
_ASKS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (Intent.FREQUENCY, re.compile(
        r"\bhow (?:often|frequently|regularly)\b|\bhow many times\b|\bfrequen\w*|\btous les combien\b"
        r"|\bchaque combien\b|\bcombien de fois\b|\ba quel rythme\b|\bat what (?:rate|pace|interval)")),
    (Intent.DURATION, re.compile(
        r"\bhow long\b|\bcombien de temps\b|\bquelle duree\b|\bduree\b|\bduration\b|\ben combien de temps\b")),
    (Intent.MONEY, re.compile(
        r"\bhow much (?:money|funding|cash)\b|\bcombien (?:d argent|touche\w*|coute\w*|recoi\w*|rapporte\w*)\b"
        r"|\b(?:budget|montant|funding|financement|cost|coute|euros?|price|prix)\b")),
    (Intent.COUNT, re.compile(
        r"\bhow (?:many|much)\b|\bcombien\b|\bnumber of\b|\bnombre\b|\bwhat (?:share|percentage|proportion|"
        r"amount|budget|sum)\b|\bquel(?:le)? (?:part|pourcentage|proportion|montant|budget|somme)\b"
        r"|\bpercent\w*|\bpourcentage\b|\bmontant\b|\bby how much\b|\bde combien\b")),
    (Intent.WHEN, re.compile(
        r"\bwhen\b|\bquand\b|\bqd\b|\bwhat (?:date|year|month|day)\b|\bwhich (?:date|year|month)\b"
        r"|\bquel(?:le)? (?:date|annee|jour|mois)\b|\ben quelle annee\b|\bdeadline\b|\becheance\b|\bsince\b"
        r"|\buntil\b|\bjusqu a\b|\bdepuis\b|\bd ici\b|\bby (?:what|which) (?:date|time|year)\b|\bhow soon\b")),
    (Intent.WHO, re.compile(
        r"^(?:and |et |but |mais |so |alors |du coup )?(?:who|whom|qui)\b|\bwho(?:'s| is| are| will| runs?"
        r"| leads?| organi[sz]es?| publishes?| hosts?| hosted| coordinates?| manages?| funds?| does)\b"
        r"|\bby whom\b|\bpar qui\b|\bavec qui\b|\bc est qui\b|\bc qui\b|\bwhich (?:ministry|body|institution|"
        r"authority|agency|organi[sz]ation|department|court|office)\b|\bquel(?:le)? (?:ministere|organisme|"
        r"institution|autorite|agence|administration|service)\b|\bqui (?:s occupe|gere|pilote|porte|publie|"
        r"organise|finance|dirige|coordonne|envoie)\b")),
    (Intent.WHERE, re.compile(
        r"\bwhere\b|\bwhich (?:website|site|platform|portal|address|page|link|url|region|city|place)\b"
        r"|\bwhat (?:website|site|platform|portal|address|url|link)\b|\bquel(?:le)? (?:site|plateforme|portail|"
        r"adresse|page|lien|url|region|ville|lieu)\b|\bsur quel\b|\bou (?:ca|cela|se|s est|est|sont|trouver"
        r"|consulter|voir|lire|aller)\b|\bin which (?:region|city|place)\b")),
)

_MONTHS = (
    "january february march april may june july august september october november december "
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre"
).split()
_NUMBER_WORDS = (
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty hundred "
    "thousand million billion dozen dozens half quarter double doubled triple tripled quadruple quadrupled "
    "deux trois quatre cinq sept huit neuf dix onze douze quinze vingt trente quarante cinquante cent cents "
    "mille millions milliard dizaine dizaines quinzaine vingtaine trentaine quarantaine centaine centaines "
    "moitie quart double triple quadruple quadruples quadruplant quadrupler"
).split()
_TIME_UNITS = "month months year years week weeks day days mois an ans annee annees semaine semaines jour jours"

# Features a sentence must show to answer each intent; patterns run on plain text.
_HAS: dict[Intent, re.Pattern[str]] = {
    Intent.FREQUENCY: re.compile(
        r"\bevery (?:\w+ )?(?:year|month|week|day|months|years|weeks)\b|\bonce a\b|\btwice\b|\bannual\w*"
        r"|\byearly\b|\bmonthly\b|\bweekly\b|\bregular\w*|\btous les\b|\bune fois par\b|\bchaque (?:annee|"
        r"mois|semaine|jour|an)\b|\bbimensuel\w*|\bmensuel\w*|\bsemestriel\w*|\bhebdomadaire\w*|\bper year\b"
        r"|\bpar an\b|\bregulierement\b|\btwice-monthly\b"),
    Intent.DURATION: re.compile(
        rf"\b(?:\d+|{'|'.join(_NUMBER_WORDS)}|one|un|une)[ -](?:{'|'.join(_TIME_UNITS.split())})\b"),
    Intent.WHEN: re.compile(
        rf"\b(?:19|20)\d\d\b|\b(?:{'|'.join(_MONTHS)})\b|\b(?:spring|summer|autumn|fall|winter|printemps|ete"
        r"|automne|hiver)\b|\bthis year\b|\bcette annee\b|\bsemestre\b|\bfirst half\b|\bsecond half\b"),
    Intent.MONEY: re.compile(r"€|\$|£|\beuros?\b"),  # an amount, not just "funding"
    # A figure that is not a year, a number word, a percentage or an amount.
    Intent.COUNT: re.compile(rf"(?<![\d.,])(?!(?:19|20)\d\d(?!\d))\d|%|€|\b(?:{'|'.join(_NUMBER_WORDS)})\b"),
    Intent.WHERE: re.compile(
        r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:fr|eu|org|com|net|gouv)\b|\bplatform\w*|\bportal\w*|\bwebsite\w*"
        r"|\bplateforme\w*|\bportail\w*|\bsite\w*|\bavenue\b|\brue\b|\bparis\b|\bregion\w*|\bheld (?:at|in)\b"
        r"|\bs est tenu\w*|\bonline\b|\ben ligne\b|\btown halls?\b|\bmairies?\b|\blibrar\w*|\bbibliotheque\w*"),
}
_WHO_WORDS = re.compile(
    r"\b(?:ministry|ministere|minister|ministre|authority|autorite|council|conseil|agency|agence|office|cour|"
    r"court|commission|department|direction|directorate|president|region|prefect\w*|regulator|government|"
    r"gouvernement|etat|state|hatvp|cnil|arcep|cada|anct|dinum|ditp|sig)\b"
)

INTENT_BONUS = 3.5
FACT_POSITION = 180  # characters: a fact shown later than this in its sentence makes it a weaker answer,
FACT_FADE = 150  # ... and one this much later is hardly an answer (it would not show early in the reply)
SUMMARY_BONUS = 0.4  # the summary is the plan's own short answer: preferred when nothing else decides,
SUMMARY_BONUS_PLAIN = 1.5  # ... and clearly so for a question that asks for no particular fact
LONG_SENTENCE = 280  # characters; beyond that a sentence loses a little (it pushes the rest down)
LOCAL_DISCOUNT = 0.7  # how much a question word loses when every sentence of the item has it
TITLE_FACTOR = 0.4  # what a question word keeps when the item's names (title, keywords, aliases) have it
NAME_FACTOR_WITH_INTENT = 0.15  # ... when the question says what kind of fact it wants: that decides


def _plain(text: str) -> str:
    """Lowercase without accents, apostrophes as spaces ("d'ici quand" -> "d ici quand"), single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"['’`´]", " ", text).split())


def asked(question: str) -> tuple[Intent | None, str]:
    """What kind of fact the question asks for (if it says so), and the question without the words that said
    it ("what date was the forum?" -> "forum"): "date" must not pick a sentence about data."""
    plain = _plain(question)
    for intent, pattern in _ASKS:
        if pattern.search(plain):
            return intent, pattern.sub(" ", plain)
    return None, plain


# "Is it done?", "what happened?", « ça a abouti ? », « où en est… » ask about progress: answered by the latest
# evidence when the item has some (bot/conversation/handlers/plan.py). Runs on plain text (see _plain).
_PROGRESS = re.compile(
    r"\bwhat (?:has |have )?happen\w*|\bwhat came (?:of|out of|next)\b|\bwhat became of\b|\bany (?:news|updates?|progress)\b"
    r"|\bprogress\b|\bstatus\b|\bhow far\b|\bwhere (?:does|do|is|are) .{0,60}\bstand\b|\bupdate on\b"
    r"|\bhow (?:is|are) .{0,60}\bgoing\b|\bdid (?:it|they|this|that|france|the government) (?:work|happen|succeed|deliver)"
    r"|\b(?:is|was|has|have|are|were|did|got)\b.{0,80}\b(?:done|finished|complete|completed|implemented|achieved"
    r"|delivered|launched|carried out|happened|rolled out|up and running|succeeded)\b|\bresults so far\b"
    r"|\babouti\w*|\bou en (?:est|sont|etes|sommes)\b|\bou ca en est\b|\bca en est ou\b|\bavancement\b|\bbilan\b"
    r"|\bqu est ce qui s est passe\b|\bque s est il passe\b|\bqu est ce que ca a donne\b|\bdes nouvelles\b|\bdu nouveau\b"
    r"|\b(?:c est|est ce|a t il|a t elle|ont ils|ont elles|est il|est elle|a ete|ont ete)\b.{0,80}\b(?:fait|faite"
    r"|termine\w*|acheve\w*|realise\w*|mis en place|mise en place|mis en oeuvre|mise en oeuvre|mis en œuvre"
    r"|mise en œuvre|lance\w*|fini\w*)\b|\bca a (?:marche|abouti|donne quoi)\b"
)


def asks_progress(question: str) -> bool:
    """Whether the question asks what happened to an item ("is it done?", « où en est… ») rather than a fact of
    the plan; a question asking for a particular fact (when, how many, who…) is not one."""
    intent, _ = asked(question)
    return intent is None and bool(_PROGRESS.search(_plain(question).replace("-", " ")))


def asked_intent(question: str) -> Intent | None:
    return asked(question)[0]


def _stems(text: str) -> frozenset[str]:
    return frozenset(s for token in content_tokens(text) for s in stems(token))


# Idioms whose words say nothing about the fact: "ont eu lieu" (took place) is not about a place.
_IDIOMS = re.compile(r"\b(?:eu|a|ont|aura|auront|avoir|avait|va avoir) lieu\b|\b(?:take|took|taken|takes) place\b",
                     re.IGNORECASE)
# Ordinals name what the plan numbers: "the second forum" is "Forum #2".
_ORDINALS = {"first": "1", "premier": "1", "premiere": "1", "1er": "1", "1re": "1", "second": "2", "deuxieme": "2",
             "2nd": "2", "2e": "2", "third": "3", "troisieme": "3", "3rd": "3", "3e": "3", "fourth": "4",
             "quatrieme": "4", "4th": "4", "4e": "4", "fifth": "5", "cinquieme": "5", "sixth": "6", "sixieme": "6"}
_YEAR = re.compile(r"(?:19|20)\d\d")
YEAR_WEIGHT = 0.5  # a year in the question ("the 2021-2023 plan") is mostly context, not the asked fact


def _question_words(question: str) -> list[tuple[frozenset[str], float]]:
    """Each meaningful word of the question: the set of its English and French stems, and its weight factor."""
    words = dict.fromkeys(t for t in content_tokens(_IDIOMS.sub(" ", question)) if t not in CHATTER)
    found = []
    for word in words:
        forms = set(stems(word))
        if word in _ORDINALS:
            forms.add(_ORDINALS[word])
        found.append((frozenset(forms), YEAR_WEIGHT if _YEAR.fullmatch(word) else 1.0))
    return found


@dataclass(frozen=True)
class Ranked:
    sentence: Sentence
    score: float
    intent: Intent | None


class Answers:
    """Candidate sentences of every item of a knowledge base, and how rare each stem is among them.

    Built once per knowledge base (SOURCES as they are then); `lead` is then a few dictionary look-ups.
    """

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._sentences: dict[str, list[tuple[Sentence, frozenset[str], frozenset[str]]]] = {}
        self._titles: dict[str, frozenset[str]] = {}
        self._headings: dict[str, frozenset[str]] = {}  # stems of the item's title alone
        df: dict[str, int] = {}
        count = 0
        for item_id in kb.item_ids:
            item = kb.get(item_id)
            entries = []
            for sentence in candidates(kb, item):
                en, fr = _stems(sentence.en), _stems(sentence.fr or "")
                entries.append((sentence, en, fr))
                for bag in (en, fr) if sentence.fr else (en,):
                    count += 1
                    for stem in bag:
                        df[stem] = df.get(stem, 0) + 1
            self._sentences[item_id] = entries
            names = [item.title.en, item.title.fr, *item.keywords.all(), *getattr(item, "aliases", Terms()).all()]
            self._titles[item_id] = frozenset().union(*(_stems(name) for name in names))
            self._headings[item_id] = _stems(item.title.en) | _stems(item.title.fr)
        self._idf = {stem: math.log(1 + (count - n + 0.5) / (n + 0.5)) for stem, n in df.items()}
        self._unknown_idf = math.log(1 + (count + 0.5) / 0.5)
        names = {compact(n) for inst in kb.institutions.values()
                 for n in (inst.name.en, inst.name.fr, *inst.acronyms, *inst.aliases.all())}
        self._institutions = frozenset(n for n in names if len(n) >= 3)

    def _weight(self, word: frozenset[str]) -> float:
        return max(self._idf.get(s, self._unknown_idf) for s in word)

    def _fact_at(self, intent: Intent, text: str) -> int | None:
        """Where in `text` the kind of fact asked for first shows (characters from the start), if it does."""
        plain = _plain(text)
        if intent is Intent.WHO:
            found = _WHO_WORDS.search(plain)
            if found:
                return found.start()
            words = compact(text)
            return 0 if any(n in words for n in self._institutions) else None
        found = _HAS[intent].search(plain)
        return found.start() if found else None

    def rank(self, item_id: str, question: str, lang: str = "en") -> list[Ranked]:
        """The item's candidate sentences, best answer to `question` first (ties keep the item's order).

        A question word counts by its rarity in the whole plan, less when most of the item's sentences have
        it or its names have it (title, keywords, aliases): the words that found the item ("lobbying" for the
        lobbying action) do not pick its sentence."""
        entries = self._sentences.get(item_id, [])
        title = self._titles.get(item_id, frozenset())
        headings = self._headings.get(item_id, frozenset())
        intent, rest = asked(question)
        weights = []
        for word, factor in _question_words(rest):
            share = sum(1 for _, en, fr in entries if word & (en | fr)) / (len(entries) or 1)
            # a keyword only one sentence has (a hackathon among the drafting events) still picks that sentence,
            # unless that is the item's opening sentence, which names it ("members" of the OGP)
            holders = [i for i, (_, en, fr) in enumerate(entries) if word & (en | fr)]
            if word & title and (holders[:1] == [0] or len(holders) > 1 or word & headings):
                factor *= TITLE_FACTOR if intent is None else NAME_FACTOR_WITH_INTENT
            weights.append((word, self._weight(word) * factor * (1 - LOCAL_DISCOUNT * share)))
        scored = []
        for position, (sentence, en, fr) in enumerate(entries):
            score = max(sum(weight for word, weight in weights if word & bag) for bag in (en, fr))
            at = self._fact_at(intent, sentence.text(lang)) if intent is not None else None
            if at is not None:  # the kind of fact asked for, worth less when it comes late in the sentence
                score += INTENT_BONUS * min(1.0, max(0.1, 1 - (at - FACT_POSITION) / FACT_FADE))
            if sentence.source == "summary":
                score += SUMMARY_BONUS if intent is not None else SUMMARY_BONUS_PLAIN
            if at is None and len(sentence.en) > LONG_SENTENCE:  # (a fact's position already counts)
                score -= (len(sentence.en) - LONG_SENTENCE) / 200
            scored.append((score, -position, Ranked(sentence, round(score, 3), intent)))
        scored.sort(key=lambda entry: entry[:2], reverse=True)
        return [entry[2] for entry in scored]

    def lead(self, item_id: str, question: str, lang: str) -> str | None:
        """The sentence to open the answer with, in the reader's language (English when we have no
        translation); None for an unknown item."""
        ranked = self.rank(item_id, question, lang)
        return ranked[0].sentence.text(lang) if ranked else None


_ANSWERS: LRUCache[int, tuple[KnowledgeBase, Answers]] = LRUCache(4)


def answers_for(kb: KnowledgeBase) -> Answers:
    """The Answers of a knowledge base, built on first use and kept for the process (a few of them at most)."""
    entry = _ANSWERS.get(id(kb))
    if entry is None or entry[0] is not kb:
        entry = _ANSWERS[id(kb)] = (kb, Answers(kb))
    return entry[1]
