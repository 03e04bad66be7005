"""Fitting replies into platform limits: split long text cleanly at paragraphs, lines, then words."""

from __future__ import annotations

from collections.abc import Callable, Iterable

Measure = Callable[[str], int]  # the platforms' limits: each adapter's Capabilities.message_limit


def split_to_fit(text: str, limit: int, measure: Measure = len) -> list[str]:
    """Cut text into pieces whose measure is at most `limit`, preferring paragraph, line and word breaks."""
    if measure(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        parts = text.split(separator)
        if len(parts) > 1:
            return pack(parts, limit, separator, measure)
    # One enormous word: cut it by characters.
    pieces, current = [], ""
    for ch in text:
        if current and measure(current + ch) > limit:
            pieces.append(current)
            current = ""
        current += ch
    return pieces + ([current] if current else [])


def pack(parts: Iterable[str], limit: int, separator: str = "\n\n", measure: Measure = len) -> list[str]:
    """Join parts with `separator` into as few chunks as possible, none over `limit`."""
    chunks: list[str] = []
    current: str | None = None
    for part in parts:
        for piece in split_to_fit(part, limit, measure) if measure(part) > limit else [part]:
            candidate = piece if current is None else current + separator + piece
            if current is not None and measure(candidate) > limit:
                chunks.append(current)
                current = piece
            else:
                current = candidate
    if current is not None and current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [""]
