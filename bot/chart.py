"""The progress picture: a PNG bar chart of action statuses per commitment."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from bot.i18n import t
from bot.status import Level, label
from bot.statuses import CurrentStatus, count_levels
from knowledge.loader import KnowledgeBase

COLORS = {
    Level.NO_EVIDENCE: "#c8c8c8",
    Level.NOT_STARTED: "#d9534f",
    Level.LIMITED: "#f0ad4e",
    Level.SUBSTANTIAL: "#f7dc6f",
    Level.COMPLETE: "#5cb85c",
}


def progress_png(kb: KnowledgeBase, statuses: dict[str, CurrentStatus], lang: str) -> bytes:
    """Stacked horizontal bars, one per commitment, coloured by status level."""
    commitments = list(kb.commitments.values())
    names = [f"{c.id}. {_wrap(getattr(c.title, lang))}" for c in commitments][::-1]
    counts = [count_levels(statuses, [a.id for a in kb.actions_of(c.id)]) for c in commitments][::-1]
    figure = Figure(figsize=(9, 5.2), dpi=100)
    axes = figure.add_subplot()
    left = [0] * len(commitments)
    for level in Level:
        values = [c.get(level, 0) for c in counts]
        axes.barh(names, values, left=left, color=COLORS[level], label=label(level, lang), edgecolor="white")
        left = [a + b for a, b in zip(left, values)]
    axes.set_xlabel(t("progress_axis", lang))
    axes.set_title(t("progress_title", lang))
    axes.set_xlim(0, max(left) + 1)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=5, fontsize="x-small", frameon=False)
    axes.tick_params(axis="y", labelsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _wrap(text: str, width: int = 38) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line][:2])
