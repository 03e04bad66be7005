"""Reading an item id the way people type it: '#2.12', 'Action 2.12', '2,12', 'show_2_12'."""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"^(?:[1-9](?:\.[1-9][0-9]?)?|about\.[a-z]+)$")


def normalise_id(text: str) -> str:
    """'#2.12', 'Action 2.12', '2,12', 'show_2_12' -> '2.12' (best effort; may return junk to be rejected)."""
    text = text.strip().lower().lstrip("#")
    text = re.sub(r"^(action|engagement|commitment|item)\s+", "", text)
    return text.replace(",", ".").replace("_", ".")
