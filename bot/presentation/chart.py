"""The progress picture: a PNG bar chart of action statuses per commitment, and how many of each commitment's
actions have recorded evidence.

matplotlib takes a quarter of a second to import and the drawing as long again: both happen in worker threads,
never on the event loop, and a chart is drawn once per status version and language (`ChartCache`).
"""

from __future__ import annotations

import asyncio
import io
import textwrap
from collections.abc import Awaitable, Callable, Hashable

from cachetools import LRUCache

from bot.following.levels import Level, label
from bot.following.status_reads import CurrentStatus, count_levels
from bot.i18n import t
from knowledge.loader import KnowledgeBase

COLORS = {
    Level.NO_EVIDENCE: "#c8c8c8",
    Level.NOT_STARTED: "#d9534f",
    Level.LIMITED: "#f0ad4e",
    Level.SUBSTANTIAL: "#f7dc6f",
    Level.COMPLETE: "#5cb85c",
}


def evidenced(kb: KnowledgeBase, evidence: dict[str, int], commitment_id: str) -> tuple[int, int]:
    """(actions of the commitment with at least one recorded fact, its actions)."""
    actions = kb.actions_of(commitment_id)
    return sum(1 for a in actions if evidence.get(a.id)), len(actions)


def progress_png(kb: KnowledgeBase, statuses: dict[str, CurrentStatus], lang: str,
                 evidence: dict[str, int] | None = None) -> bytes:
    """Stacked horizontal bars, one per commitment, coloured by status level, each labelled with how many of its
    actions have recorded evidence (`evidence`: facts per action id). Blocking: call it in a thread."""
    from matplotlib.figure import Figure  # imported here, in the caller's (worker) thread
    commitments = list(kb.commitments.values())
    names = [f"{c.id}. {_wrap(getattr(c.title, lang))}" for c in commitments][::-1]
    counts = [count_levels(statuses, [a.id for a in kb.actions_of(c.id)]) for c in commitments][::-1]
    with_evidence = [evidenced(kb, evidence or {}, c.id) for c in commitments][::-1]
    figure = Figure(figsize=(9, 5.2), dpi=100)
    axes = figure.add_subplot()
    left = [0] * len(commitments)
    for level in Level:
        values = [c.get(level, 0) for c in counts]
        axes.barh(names, values, left=left, color=COLORS[level], label=label(level, lang), edgecolor="white")
        left = [a + b for a, b in zip(left, values)]
    for row, (found, total) in enumerate(with_evidence):  # "📄 2/3 actions with recorded evidence"
        axes.text(left[row] + 0.2, row, f"{found}/{total} " + t("progress_evidence", lang), va="center",
                  fontsize="x-small", color="#333333")
    axes.set_xlabel(t("progress_axis", lang))
    axes.set_title(t("progress_title", lang))
    axes.set_xlim(0, max(left) * 1.9 + 1)  # room for the evidence labels right of the bars
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=5, fontsize="x-small", frameon=False)
    axes.tick_params(axis="y", labelsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _wrap(text: str, width: int = 38) -> str:
    """A commitment's title on at most two lines of `width`, broken between words only (never mid-word nor at
    a hyphen); any run of white space, a no-break space included, counts as one space."""
    lines = textwrap.wrap(" ".join(text.split()), width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines[:2])


def preload() -> None:
    """Import matplotlib ahead of the first chart (call it in a worker thread at start-up)."""
    import matplotlib.figure  # noqa: F401


class ChartCache:
    """Charts by key (status version, language): one drawing per key, however many ask at the same time."""

    def __init__(self, maxsize: int = 8):
        self._charts: LRUCache[Hashable, bytes] = LRUCache(maxsize)
        self._drawing: dict[Hashable, asyncio.Future[bytes]] = {}

    async def get(self, key: Hashable, draw: Callable[[], Awaitable[tuple[bytes, bool]]]) -> bytes:
        """The cached chart, or the one `draw` makes: (png, whether it really is the chart of `key`)."""
        if key in self._charts:
            return self._charts[key]
        drawing = self._drawing.get(key)
        if drawing is None:
            drawing = self._drawing[key] = asyncio.ensure_future(draw())
            drawing.add_done_callback(lambda done: self._finished(key, done))
        # shielded: one asker giving up (a cancelled request) does not cancel the drawing the others await
        png, _ = await asyncio.shield(drawing)
        return png

    def _finished(self, key: Hashable, done: asyncio.Future[tuple[bytes, bool]]) -> None:
        if self._drawing.get(key) is done:
            del self._drawing[key]
        if not done.cancelled() and done.exception() is None:  # exception() also marks it retrieved
            png, exact = done.result()
            if exact:
                self._charts[key] = png

    def __contains__(self, key: Hashable) -> bool:
        return key in self._charts
