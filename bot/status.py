"""The OGP IRM completion scale and how to read it from what an admin or a feed writes."""

from __future__ import annotations

from enum import StrEnum

from bot.text import fold


class Level(StrEnum):
    NO_EVIDENCE = "no_evidence"
    NOT_STARTED = "not_started"
    LIMITED = "limited"
    SUBSTANTIAL = "substantial"
    COMPLETE = "complete"


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
