"""Pydantic schema of the plan's data files: what a commitment, an action, a topic and an institution hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]

PLAN_DOCUMENT = "Summary of France's 2021-2023 National Action Plan (December 2021)"
PLAN_URL = "https://modernisation.gouv.fr"
# The seed: "Amélie de Montchalin ... kick-started the co-development of the third Action Plan on 13 February
# 2021". Nothing of this plan can have happened before its drafting began.
PLAN_DRAFTING_STARTED = date(2021, 2, 13)


class Reporter(StrEnum):
    """Who reported a piece of evidence."""

    INDEPENDENT_REVIEW = "independent_review"  # the OGP Independent Reporting Mechanism, an audit, a researcher
    GOVERNMENT = "government"  # the government or the public body carrying out the action, about its own work
    PRESS = "press"  # a newspaper or another media outlet
    MAINTAINERS = "maintainers"  # this bot's maintainers


def _web_address(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in value):
        raise ValueError("not an http(s) web address")
    return value


def _in_plan_time(value: date) -> date:
    if value < PLAN_DRAFTING_STARTED:
        raise ValueError(f"before the plan (its drafting began on {PLAN_DRAFTING_STARTED.isoformat()})")
    if value > datetime.now(UTC).date() + timedelta(days=1):
        raise ValueError("in the future")
    return value


WebAddress = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_web_address)]
EvidenceDate = Annotated[date, AfterValidator(_in_plan_time)]


class Strict(BaseModel):
    """Unknown fields are typos in a hand-edited file: reject them."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """A short text in both languages."""

    en: NonEmpty
    fr: NonEmpty


class Deadline(Strict):
    """When a dated promise falls due: the last day it allows, the plan's own words that say so (quoted from the
    action's plan text, which the loader checks), and how to say the date briefly in each language."""

    date: date
    wording: NonEmpty
    label: Localized


class Promise(Localized):
    """A promise of the plan, in both languages; a dated one carries its deadline."""

    deadline: Deadline | None = None


class PlanText(Strict):
    """The plan's own words (English) and, optionally, our French translation of them."""

    en: NonEmpty
    fr: NonEmpty | None = None


class Terms(Strict):
    """Search terms a citizen might type, per language: keywords, synonyms, names, acronyms."""

    en: list[NonEmpty] = []
    fr: list[NonEmpty] = []

    def all(self) -> list[str]:
        return [*self.en, *self.fr]


class Source(Strict):
    """Where in the plan the passage comes from."""

    section: NonEmpty
    url: NonEmpty = PLAN_URL
    document: NonEmpty = PLAN_DOCUMENT


class Institution(Strict):
    id: Slug
    name: Localized
    acronyms: list[NonEmpty] = []
    aliases: Terms = Terms()


class Commitment(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[1-9]$")]
    title: Localized
    summary: Localized
    issues: PlanText
    aims: list[Localized] = Field(min_length=1)
    lead_institutions: list[Slug] = Field(min_length=1)
    keywords: Terms = Terms()
    source: Source


class Action(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[1-9]\.[1-9][0-9]?$")]
    commitment: Annotated[str, StringConstraints(pattern=r"^[1-9]$")]
    aim: Localized
    title: Localized
    summary: Localized
    text: PlanText
    institutions: list[Slug] = Field(min_length=1)
    promises: list[Promise] = []
    keywords: Terms = Terms()
    aliases: Terms = Terms()
    source: Source


class Later(Strict):
    """What happened after the plan, on a general topic (not the plan's own words): dated and sourced."""

    text: Localized
    source: WebAddress
    publisher: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    date: EvidenceDate | None = None  # when the source gives one


class Topic(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^about\.[a-z]+$")]
    title: Localized
    answer: Localized
    keywords: Terms = Terms()
    source: Source
    after: list[Later] = []  # since the plan: shown after the plan's answer, each with its source


class Evidence(Strict):
    """A dated, sourced fact about an action's implementation (knowledge/data/evidence.yaml)."""

    action: Annotated[str, StringConstraints(pattern=r"^[1-9]\.[1-9][0-9]?$")]
    date: EvidenceDate
    text: Localized  # our own words, in English and French
    source: WebAddress
    publisher: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    reported_by: Reporter


class DataFile(Strict):
    """One YAML file; any of the lists may be present. The loader merges all files."""

    institutions: list[Institution] = []
    commitments: list[Commitment] = []
    actions: list[Action] = []
    topics: list[Topic] = []
    evidence: list[Evidence] = []
