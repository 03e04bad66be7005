"""The OGP IRM completion scale and how to read it from what an admin or a feed writes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from bot.plan.text import fold
from knowledge.schema import PLAN_DRAFTING_STARTED


class Level(StrEnum):
    NO_EVIDENCE = "no_evidence"
    NOT_STARTED = "not_started"
    LIMITED = "limited"
    SUBSTANTIAL = "substantial"
    COMPLETE = "complete"


class Assessor(StrEnum):
    """Who assessed a status: the OGP Independent Reporting Mechanism, the government (its self-assessment or
    its tracker), or this bot's maintainers."""

    IRM = "irm"
    GOVERNMENT = "government"
    MAINTAINERS = "maintainers"


ASSESSOR_LABELS = {
    Assessor.IRM: {"en": "OGP Independent Reporting Mechanism", "fr": "Mécanisme d'évaluation indépendant de l'OGP"},
    Assessor.GOVERNMENT: {"en": "Government", "fr": "Gouvernement"},
    Assessor.MAINTAINERS: {"en": "This bot's maintainers", "fr": "Les mainteneurs de ce bot"},
}
ASSESSOR_SHORT = {
    Assessor.IRM: {"en": "IRM", "fr": "MEI (OGP)"},
    Assessor.GOVERNMENT: {"en": "Government", "fr": "Gouvernement"},
    Assessor.MAINTAINERS: {"en": "Maintainers", "fr": "Mainteneurs"},
}


def parse_assessor(text: str) -> Assessor | None:
    """'irm', 'IRM', 'government', 'gouvernement', 'maintainers' -> Assessor; '' -> maintainers; None when unknown."""
    key = "".join(ch for ch in fold(text) if ch.isalnum())
    if not key:
        return Assessor.MAINTAINERS
    return {"irm": Assessor.IRM, "mei": Assessor.IRM, "government": Assessor.GOVERNMENT,
            "gouvernement": Assessor.GOVERNMENT, "maintainers": Assessor.MAINTAINERS,
            "mainteneurs": Assessor.MAINTAINERS}.get(key)


LABELS = {
    Level.NO_EVIDENCE: {"en": "No evidence available", "fr": "Aucune information disponible"},
    Level.NOT_STARTED: {"en": "Not started", "fr": "Non commencée"},
    Level.LIMITED: {"en": "Limited", "fr": "Limitée"},
    Level.SUBSTANTIAL: {"en": "Substantial", "fr": "Substantielle"},
    Level.COMPLETE: {"en": "Complete", "fr": "Achevée"},
}
EMOJI = {
    Level.NO_EVIDENCE: "⚪",
    Level.NOT_STARTED: "🔴",
    Level.LIMITED: "🟠",
    Level.SUBSTANTIAL: "🟡",
    Level.COMPLETE: "🟢",
}
_ALIASES = {
    "noevidence": Level.NO_EVIDENCE, "noevidenceavailable": Level.NO_EVIDENCE, "none": Level.NO_EVIDENCE,
    "unknown": Level.NO_EVIDENCE, "aucuneinformation": Level.NO_EVIDENCE, "inconnu": Level.NO_EVIDENCE,
    "notstarted": Level.NOT_STARTED, "noncommencee": Level.NOT_STARTED, "noncommence": Level.NOT_STARTED,
    "limited": Level.LIMITED, "limitee": Level.LIMITED, "limite": Level.LIMITED,
    "substantial": Level.SUBSTANTIAL, "substantielle": Level.SUBSTANTIAL, "substantiel": Level.SUBSTANTIAL,
    "complete": Level.COMPLETE, "completed": Level.COMPLETE, "achevee": Level.COMPLETE, "acheve": Level.COMPLETE,
    "terminee": Level.COMPLETE, "termine": Level.COMPLETE,
}


def parse_level(text: str) -> Level | None:
    """'substantial', 'Not started', 'not_started', 'non commencée' -> Level; None when unknown."""
    key = "".join(ch for ch in fold(text) if ch.isalnum())
    return _ALIASES.get(key)


def label(level: Level | str, lang: str) -> str:
    return LABELS[Level(level)][lang]


# -- effective dates (issue 9: implausible dates) ---------------------------------------------------------------
# Nothing of this plan can have taken effect before its drafting began (knowledge.schema.PLAN_DRAFTING_STARTED).
FUTURE_MARGIN = timedelta(days=1)  # "today" somewhere in the world may be tomorrow in UTC
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateError(ValueError):
    """Why a date was refused: "format" (not YYYY-MM-DD), "early" (before the plan) or "future"."""

    def __init__(self, reason: str, text: str):
        super().__init__(reason, text)
        self.reason, self.text = reason, text

    def describe(self) -> str:
        """The reason in English, for feed problems and the command line."""
        shown = repr(self.text[:40])
        if self.reason == "early":
            return f"date {shown} is before the plan (drafting began on {PLAN_DRAFTING_STARTED.isoformat()})"
        if self.reason == "future":
            return f"date {shown} is in the future"
        return f"bad date {shown} (expected YYYY-MM-DD)"


def parse_effective_date(text: str, today: date | None = None) -> date:
    """A status change's date: strictly YYYY-MM-DD, on or after the plan's drafting, at most a day ahead."""
    if not _ISO_DATE.fullmatch(text):
        raise DateError("format", text)
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise DateError("format", text) from None
    if value < PLAN_DRAFTING_STARTED:
        raise DateError("early", text)
    if value > (today or datetime.now(UTC).date()) + FUTURE_MARGIN:
        raise DateError("future", text)
    return value
