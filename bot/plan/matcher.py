"""Rank the plan's items for a free-text question, in English or French, and decide whether to answer.

A BM25F score over English and French stems of each item's fields, plus bonuses for names, acronyms and
keyword phrases found whole in the question; unknown words are mapped to the closest known word with rapidfuzz
so that typos still match. The decision to answer looks at how much of the question the plan explains — not
counting greetings, introductions and context sentences unless the plan explains them — and at signs that the
question is about something the plan cannot answer (another country, a personal procedure, prices...), which
decline it even when a plan item is close (that item is then offered as "not covering this point").
Wording that asks for an overview ("in short", "le volet X") ranks a commitment above its own actions.
"""

from __future__ import annotations

import bisect
import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from bot.plan.text import (
    CHATTER,
    DRAFTING_WORDS,
    PLAN_WRITTEN,
    START_WORDS,
    STOPWORDS,
    SUBJECT,
    WHEN_WORDS,
    analyse,
    broad,
    capitals,
    compact,
    content_tokens,
    courtesy_only,
    key,
    later_report,
    overview_words,
    references,
    stems,
    years,
)

# Field weights: how much a word found there says about the item.
WEIGHTS = {"alias": 4.0, "title": 3.0, "keyword": 3.0, "summary": 1.5, "aim": 0.6, "institution": 1.2, "text": 1.0}
K1, B = 2.0, 0.75
PHRASE_BONUS = {"alias": 3.0, "keyword": 1.4, "title": 1.0, "institution": 0.8}
MIN_FUZZY_LEN = 4
MIN_PREFIX_STEM = 5
PREFIX_CONFIDENCE = 0.6
FAMILY_PREFIX, FAMILY_CONFIDENCE = 7, 0.35  # stems sharing this long a start are one word family
PHRASE_EXPONENT = 1.0
COMMITMENT_FACTOR = 0.85  # a specific action is the better answer when it explains the question as well
MAX_PHRASE_TOKENS = 6
DEFINING_SHARE = 1.5  # a name shared by items counts more for the item that defines it (its summary opens on it)
MAX_NAME_DOCS = 3  # a one-word name shared by more items than this is a common word, not a name
NAME_STRENGTH = 1.0
NAME_KINDS = frozenset({"alias", "institution"})
BROAD_OWN = 1.2  # asked broadly ("what is France doing for X?"): a commitment whose own words say X comes first
OVERVIEW_OWN = 2.0  # ...and its own words (title, keywords, aims) count twice as much as its actions'
OVERVIEW_BOOST = 1.25  # asked for an overview: a commitment takes its best action's score, and more
SUGGEST_SCORE, SUGGEST_COVERAGE, SUGGEST_RATIO = 3.0, 0.3, 0.5
# "When did the drafting start?": dates of the drafting process are the drafting topic's, not the overview's.
DRAFTING_TOPIC = "about.drafting"
DRAFTING_BONUS = 6.0
REFERENCE_BONUS = 10.0  # "commitment 6", "action 2.3": an item named by its number comes first and is answered


def _shared_prefix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a, b]))


@dataclass(frozen=True)
class Document:
    """One searchable item, its fields already split by kind; built from the knowledge base or synthetic."""

    id: str
    kind: str  # commitment | action | topic
    title: str
    fields: dict[str, list[str]]  # field kind -> texts (both languages)
    phrases: dict[str, list[str]] = field(default_factory=dict)  # field kind -> names matched whole


@dataclass(frozen=True)
class Match:
    id: str
    kind: str
    score: float
    title: str


@dataclass(frozen=True)
class MatchResult:
    answered: bool
    matches: tuple[Match, ...]
    coverage: float = 0.0
    off_topic: tuple[str, ...] = ()  # kinds of off-plan subject found in the question
    close: str | None = None  # declined only for an off-plan point: the item that would otherwise answer

    @property
    def suggestions(self) -> tuple[str, ...]:
        """Items worth offering with a "not sure" reply: none when nothing in the plan is near the question."""
        if self.close:
            return (self.close,)
        if not self.matches or self.off_topic or self.coverage < SUGGEST_COVERAGE:
            return ()
        best = self.matches[0].score
        return tuple(m.id for m in self.matches[:3] if best >= SUGGEST_SCORE and m.score >= best * SUGGEST_RATIO)

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True)
class Thresholds:
    """An answer needs a high enough score and enough of the question explained by the plan."""

    min_score: float = 6.0
    min_coverage: float = 0.55
    strong_score: float = 13.0  # a strong match may come with more words the plan doesn't know (chatter)
    strong_min_coverage: float = 0.25
    # a strong match far ahead of every other item: the words the plan doesn't know are the asker's own wording
    clear_lead: float = 2.0  # best score / second score
    clear_min_coverage: float = 0.15
    explained_score: float = 4.0  # every word of the question is in the plan: a modest score is enough
    explained_coverage: float = 0.95
    strong_phrase: float = 6.0  # a name found whole answers even when the rest of the question is chatter
    name_min_coverage: float = 0.3  # the best item's name is in the question: less of the rest need be explained


class Matcher:
    def __init__(self, documents: list[Document], thresholds: Thresholds | None = None):
        self.docs = documents
        self.thresholds = thresholds or Thresholds()
        self._phrases: dict[str, list[tuple[int, str]]] = defaultdict(list)  # compact phrase -> (doc, kind)
        self._known_tokens: set[str] = set()
        # BM25F: term counts per field, each field normalised by its own average length, then weighted.
        counts: list[dict[str, dict[str, int]]] = []  # doc -> field kind -> stem -> count
        field_lengths: dict[str, list[int]] = defaultdict(list)
        for index, doc in enumerate(documents):
            per_field: dict[str, dict[str, int]] = {}
            for kind, texts in doc.fields.items():
                bag: dict[str, int] = defaultdict(int)
                length = 0
                for text in texts:
                    for token in content_tokens(text):
                        self._known_tokens.add(token)
                        length += 1
                        for stem in stems(token):
                            bag[stem] += 1
                per_field[kind] = bag
                field_lengths[kind].append(length)
            counts.append(per_field)
            for kind, names in doc.phrases.items():
                for name in names:
                    name_key = key(name)
                    if len(name_key) >= 2 and (index, kind) not in self._phrases[name_key]:
                        self._phrases[name_key].append((index, kind))
        self._defining = self._defining_items()
        average = {kind: (sum(v) / len(v)) or 1.0 for kind, v in field_lengths.items()}
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        for index, per_field in enumerate(counts):
            for kind, bag in per_field.items():
                field_length = sum(bag.values())
                norm = 1 - B + B * field_length / average[kind] if field_length else 1.0
                for stem, count in bag.items():
                    posting = self._postings[stem]
                    posting[index] = posting.get(index, 0.0) + WEIGHTS[kind] * count / norm
        n = len(documents)
        self._idf = {
            stem: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for stem, p in self._postings.items()
        }
        # Precomputed BM25 contribution of each stem to each document that contains it, as arrays.
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for stem, posting in self._postings.items():
            docs = np.fromiter(posting.keys(), dtype=np.int32, count=len(posting))
            tfs = np.fromiter(posting.values(), dtype=np.float64, count=len(posting))
            self._arrays[stem] = (docs, self._idf[stem] * tfs * (K1 + 1) / (tfs + K1))
        self._commitments = np.array([d.kind == "commitment" for d in documents] or [False])
        self._doc_index = {d.id: i for i, d in enumerate(documents)}
        self._actions = np.array([d.kind == "action" for d in documents] or [False])
        by_id = {d.id: i for i, d in enumerate(documents) if d.kind == "commitment"}
        # each action's commitment (its id's first part), -1 when there is none
        self._parent = np.array([by_id.get(d.id.split(".")[0], -1) if d.kind == "action" else -1 for d in documents]
                                or [-1])
        self._max_idf = math.log(1 + (n + 0.5) / 0.5) if n else 1.0
        self._vocabulary_by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(t for t in self._known_tokens if len(t) >= MIN_FUZZY_LEN):
            self._vocabulary_by_length[len(word)].append(word)
        self._long_phrases = sorted(p for p in self._phrases if len(p) >= 8)
        # The same phrases by length: fuzz.ratio >= 90 needs lengths within a ratio of 0.9/1.1 of each other, so a
        # fuzzy look only compares the phrases of a compatible length (the same best match, far fewer candidates).
        by_length = sorted(self._long_phrases, key=len)
        self._phrase_lengths, self._phrases_by_length = [len(p) for p in by_length], by_length
        self._sorted_stems = sorted(self._postings)
        self._expand = lru_cache(maxsize=8192)(self._expand_uncached)
        self._close_phrase = lru_cache(maxsize=8192)(self._close_phrase_uncached)

    def _defining_items(self) -> dict[str, int]:
        """A name several items share (an alias such as a portal's name) -> the item that defines it.

        The defining item is the one whose summary opens on the name: "The Mon Espace Santé portal, launched in
        January 2022..." defines it; "volunteers help people use e-health services, especially Mon Espace
        Santé" only uses it. A name found whole in a question counts in full for its defining item.
        """
        defining: dict[str, int] = {}
        for name, entries in self._phrases.items():
            docs = {doc for doc, kind in entries if kind == "alias"}
            if len(docs) < 2:
                continue
            where = []
            for doc in docs:
                summary = compact(" ".join(self.docs[doc].fields.get("summary", [])[:2]))
                found = summary.find(name)
                if found >= 0:
                    where.append((found / len(summary), doc))
            where.sort()
            if where and (len(where) == 1 or where[0][0] < where[1][0]):
                defining[name] = where[0][1]
        return defining

    # -- query analysis -------------------------------------------------------------------------------------
    def _expand_uncached(self, token: str) -> tuple[tuple[str, float], ...]:
        """Stems a query word stands for, with a confidence: itself, or its closest known words (typos)."""
        own = {s: 1.0 for s in stems(token) if s in self._postings}
        # Word families the stemmer keeps apart: environment/environmental, lobbying/lobbyist.
        for stem in stems(token):
            if len(stem) >= MIN_PREFIX_STEM:
                for other in self._stems_with_prefix(stem[:MIN_PREFIX_STEM]):
                    if other != stem and (other.startswith(stem) or stem.startswith(other)) and abs(len(other) - len(stem)) <= 4:
                        own.setdefault(other, PREFIX_CONFIDENCE)
                    elif other != stem and _shared_prefix(other, stem) >= FAMILY_PREFIX and abs(len(other) - len(stem)) <= 3:
                        own.setdefault(other, FAMILY_CONFIDENCE)  # scientist / scientific, handicape / handicap
        if not own and len(token) >= 5 and token[0] in "ld" and token[1] in "aeiouhy":
            # "lecole", "lenvironnement": an elision written without its apostrophe
            own = {s: 1.0 for s in stems(token[1:]) if s in self._postings}
        if own or len(token) < MIN_FUZZY_LEN or token.isdigit():
            return tuple(own.items())
        cutoff = 80 if len(token) < 7 else 84
        # fuzz.ratio >= cutoff is impossible between words whose lengths differ too much: skip them.
        low, high = math.floor(len(token) * cutoff / (200 - cutoff)), math.ceil(len(token) * (200 - cutoff) / cutoff)
        candidates = [w for size in range(low, high + 1) for w in self._vocabulary_by_length.get(size, ())]
        found = process.extract(token, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=2)
        expanded: dict[str, float] = {}
        for word, similarity, _ in found:
            for s in stems(word):
                if s in self._postings:
                    expanded[s] = max(expanded.get(s, 0.0), (similarity / 100) ** 2)
        return tuple(expanded.items())

    def _stems_with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self._sorted_stems, prefix)
        found = []
        for stem in self._sorted_stems[start:]:
            if not stem.startswith(prefix):
                break
            found.append(stem)
        return found

    def _close_phrase_uncached(self, window: str) -> str | None:
        size = len(window)
        low = bisect.bisect_left(self._phrase_lengths, math.floor(size * 0.9 / 1.1))
        high = bisect.bisect_right(self._phrase_lengths, math.ceil(size * 1.1 / 0.9))
        candidates = self._phrases_by_length[low:high]
        found = process.extract(window, candidates, scorer=fuzz.ratio, score_cutoff=90, limit=None)
        if not found:
            return None
        # Equally close phrases: the alphabetically first, as when every phrase was compared in sorted order.
        best = max(score for _, score, _ in found)
        return min(phrase for phrase, score, _ in found if score == best)

    def _phrase_hits(self, words: list[str], capitals: frozenset[str] = frozenset()) -> dict[tuple[int, str], float]:
        """Names and keyword phrases found whole in the question: (doc, kind) -> strength.

        Longer phrases are stronger; a phrase shared by several items is split between them.
        """
        hits: dict[tuple[int, str], float] = {}
        # Words that may be misspelt names: unknown to the plan, not a stopword, long enough to be a typo.
        unknown = [w not in self._known_tokens and w not in STOPWORDS and len(w) >= MIN_FUZZY_LEN for w in words]
        # A rare single-word name (an acronym, a platform): "PLU", "PGO", "HATVP".
        for word in set(words):
            entries = self._phrases.get(word) if len(word) >= 3 and word not in STOPWORDS else None
            if entries and len({doc for doc, _ in entries}) <= MAX_NAME_DOCS:
                for doc_kind in entries:
                    if doc_kind[1] not in NAME_KINDS and word not in capitals:
                        continue  # a one-word keyword is a name only when written as one ("PLU", not "plu")
                    shared = len({doc for doc, _ in entries})
                    shared = max(1.0, shared / DEFINING_SHARE) if self._defining.get(word) == doc_kind[0] else shared
                    hits[doc_kind] = max(hits.get(doc_kind, 0.0), NAME_STRENGTH / shared)
        for size in range(min(MAX_PHRASE_TOKENS, len(words)), 1, -1):
            for start in range(len(words) - size + 1):
                window = name = "".join(words[start : start + size])
                entries = self._phrases.get(window)
                # A misspelt name: only worth a fuzzy look when the window holds a word the plan doesn't know.
                if entries is None and len(window) >= 8 and any(unknown[start : start + size]):
                    close = self._close_phrase(window)
                    entries = self._phrases.get(close) if close else None
                    name = close or window
                for doc_kind in entries or ():
                    shared = len({doc for doc, _ in entries})
                    shared = max(1.0, shared / DEFINING_SHARE) if self._defining.get(name) == doc_kind[0] else shared
                    strength = size**PHRASE_EXPONENT / shared
                    hits[doc_kind] = max(hits.get(doc_kind, 0.0), strength)
        return hits

    # -- ranking --------------------------------------------------------------------------------------------
    def rank(self, question: str, limit: int = 5) -> MatchResult:
        parsed = analyse(question)
        words = parsed.words
        if courtesy_only(words):
            return MatchResult(False, ())
        overview = overview_words(words)
        # Each content word once; "soft" when it only appears in greetings, introductions or context.
        positions: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            if word not in STOPWORDS and (len(word) > 1 or word.isdigit()) and i not in overview:
                positions.setdefault(word, []).append(i)
        query = list(positions)[:60]
        n = len(self.docs)
        scores = np.zeros(n)
        explained = np.zeros(n)  # per document: the idf mass of the question it contains
        context = np.zeros(n)  # per document: the idf mass of context words it explains (they count then)
        total = 0.0
        for token in query:
            soft = all(i in parsed.soft for i in positions[token])
            expansions = self._expand(token)
            if not expansions:
                # A word the plan doesn't know says the question may be off the plan; a bare number or a word
                # of the asker's introduction doesn't.
                total += 0.0 if soft or token in CHATTER or token.isdigit() else self._max_idf
                continue
            weight = max(self._idf[s] for s, _ in expansions)
            per_doc = np.zeros(n)
            seen = np.zeros(n)
            for stem, confidence in expansions:
                docs, contributions = self._arrays[stem]
                per_doc[docs] = np.maximum(per_doc[docs], confidence * contributions)
                seen[docs] = np.maximum(seen[docs], confidence)
            if token in SUBJECT:
                continue  # every item is France's: "France" alone says nothing (names such as France Services do)
            scores += per_doc
            if token in CHATTER:
                continue
            explained += weight * seen
            if soft:
                context += weight * seen
            else:
                total += weight
        phrase_score: dict[int, float] = defaultdict(float)
        for (index, kind), strength in self._phrase_hits(words, capitals(question)).items():
            phrase_score[index] += PHRASE_BONUS[kind] * strength
        for index, bonus in phrase_score.items():
            scores[index] += bonus
        drafting = self._doc_index.get(DRAFTING_TOPIC)
        if drafting is not None and self._asks_plan_start(words, query):
            scores[drafting] += DRAFTING_BONUS
            explained[drafting] = max(explained[drafting], total)
        if overview and n:
            self._lift_commitments(scores, explained, context)
        else:
            scores[self._commitments] *= BROAD_OWN if broad(words) else COMMITMENT_FACTOR
        named = [self._doc_index[r] for r in references(words) if r in self._doc_index]
        for index in named:
            scores[index] = max(scores[index], float(scores.max())) + REFERENCE_BONUS
            explained[index] = max(explained[index], total + context[index])
            phrase_score[index] = max(phrase_score[index], self.thresholds.strong_phrase)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > limit:
            candidates = candidates[np.argpartition(-scores[candidates], limit)[:limit]]
        ranked = sorted(((int(i), float(scores[i])) for i in candidates), key=lambda kv: (-kv[1], kv[0]))[:limit]
        coverage = 0.0
        if ranked:
            best = ranked[0][0]
            asked = total + context[best]
            coverage = min(1.0, explained[best] / asked) if asked else 1.0
        matches = tuple(
            Match(self.docs[i].id, self.docs[i].kind, round(float(s), 3), self.docs[i].title) for i, s in ranked
        )
        answered = self._decide(matches, coverage, phrase_score)
        off_topic = parsed.off_topic + self._later(words)
        if off_topic and not answered and matches and phrase_score.get(ranked[0][0], 0) >= NAME_STRENGTH:
            answered = matches[0].score >= self.thresholds.min_score  # close enough to be offered, see below
        # Offered as "the plan doesn't cover that point" only when the question names that item (HATVP, ...).
        close = matches[0].id if answered and off_topic and phrase_score.get(ranked[0][0]) else None
        return MatchResult(answered and not off_topic, matches, round(float(coverage), 3), off_topic, close)

    def _later(self, words: list[str]) -> tuple[str, ...]:
        """A year the plan never mentions, after it was written ('the 2024-2026 plan'), or a later report."""
        unknown_year = any(y > PLAN_WRITTEN and str(y) not in self._known_tokens for y in years(words))
        return ("later",) if unknown_year or later_report(words) else ()

    def _asks_plan_start(self, words: list[str], query: list[str]) -> bool:
        """'When did the work on the plan begin?': a when-question about a start, naming no plan item."""
        bag = set(words)
        since = "depuis" in bag or "since" in bag  # "since when?" asks for a start
        if not (bag & WHEN_WORDS and (since or bag & START_WORDS)):
            return False
        # every word is about a start, a date or drafting (a name made of such words, "civil society", too)
        return all(t in START_WORDS or t in CHATTER or t in DRAFTING_WORDS or t in WHEN_WORDS for t in query)

    def _lift_commitments(self, scores: np.ndarray, explained: np.ndarray, context: np.ndarray) -> None:
        """An overview was asked for: each commitment scores as its best action (or itself), above them."""
        actions = np.flatnonzero(self._actions & (self._parent >= 0))
        for values, own in ((scores, OVERVIEW_OWN), (explained, 1.0), (context, 1.0)):
            best_child = np.zeros(len(values))
            np.maximum.at(best_child, self._parent[actions], values[actions])
            values[self._commitments] = np.maximum(own * values[self._commitments], best_child[self._commitments])
        scores[self._commitments] *= OVERVIEW_BOOST

    def _decide(self, matches: tuple[Match, ...], coverage: float, phrases: dict[int, float]) -> bool:
        if not matches:
            return False
        t = self.thresholds
        best = matches[0]
        if max(phrases.values(), default=0.0) >= t.strong_phrase:
            return True
        if phrases.get(self._doc_index[best.id], 0.0) > 0 and best.score >= t.min_score and coverage >= t.name_min_coverage:
            return True  # the best item's own name or acronym is in the question
        return bool(
            (best.score >= t.min_score and coverage >= t.min_coverage)
            or (best.score >= t.strong_score and coverage >= t.strong_min_coverage)
            or (best.score >= t.strong_score and coverage >= t.clear_min_coverage
                and (len(matches) < 2 or best.score >= t.clear_lead * matches[1].score))
            or (best.score >= t.explained_score and coverage >= t.explained_coverage)
        )
