"""The progress chart's commitment labels (bot/presentation/chart.py `_wrap`): two lines at most, broken between words only."""

from __future__ import annotations

import pytest

from bot.presentation.chart import _wrap


@pytest.mark.parametrize(("title", "wrapped"), [
    ("Open contracting", "Open contracting"),
    ("Involve citizens in drawing up public policies", "Involve citizens in drawing up public\npolicies"),
    ("Associer les citoyens à l'élaboration des politiques publiques",
     "Associer les citoyens à l'élaboration\ndes politiques publiques"),
    # a third line is left out
    ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen",
     "one two three four five six seven\neight nine ten eleven twelve thirteen"),
    # white space of any kind (a no-break space, a tab, several spaces) is one space
    ("Renforcer  la\u00a0transparence\tde l'action publique", "Renforcer la transparence de l'action\npublique"),
    # a word longer than the line stands alone on its line, whole: never broken, nor at its hyphens
    ("The " + "x" * 45 + " register", "The\n" + "x" * 45),
    ("Intergovernmental-coordination-of-open-data policies", "Intergovernmental-coordination-of-open-data\npolicies"),
    ("", ""),
])
def test_titles_wrap_on_two_lines_between_words(title, wrapped) -> None:
    assert _wrap(title) == wrapped


def test_a_word_exactly_as_long_as_the_line_fits_on_it() -> None:
    assert _wrap("abcde fghij klmno", width=5) == "abcde\nfghij"
    assert _wrap("ab cd ef", width=5) == "ab cd\nef"
