"""The "not sure" reply (issue 8, item 3): the close item when the plan doesn't cover the point asked, relevant
suggestions only, otherwise browsing and an example question — in English and French."""

from __future__ import annotations

import re

import pytest

from bot.domain import ChatRef, IncomingMessage, Reply


async def ask(app, text: str, user: str = "alice", locale: str | None = None) -> list[Reply]:
    return await app.assistant.handle(IncomingMessage(ChatRef("console", user), user, text, locale=locale))


@pytest.mark.parametrize(
    ("question", "locale", "says"),
    [
        ("How much did the HATVP fine companies in 2024?", None, "The plan does not cover that point"),
        ("Combien d'amendes la HATVP a-t-elle infligées en 2023 ?", "fr-FR", "Le plan ne traite pas de ce point"),
    ],
)
async def test_a_point_the_plan_does_not_cover_is_said_plainly_with_the_close_item(app, question, locale, says):
    replies = await ask(app, question, user=f"u-{locale}", locale=locale)
    assert len(replies) == 1
    text = replies[0].plain_text
    assert says in text
    assert replies[0].commands[0] == "show 2.12" and "browse" in replies[0].commands
    assert not any(c.startswith("follow") for c in replies[0].commands)  # not answered as if it were covered


@pytest.mark.parametrize(
    ("question", "locale", "example"),
    [
        ("asdkjh qwe zzz", None, r"“(.+?)”"),
        ("quel temps fera-t-il à Marseille ce week-end ?", "fr-FR", r"«\u202f(.+?)\u202f»"),
    ],
)
async def test_nothing_near_offers_browsing_and_an_example_that_is_answered(app, question, locale, example):
    replies = await ask(app, question, user=f"v-{locale}", locale=locale)
    assert replies[0].commands == ["browse"]  # no irrelevant suggestions
    asked = re.search(example, replies[0].plain_text).group(1)
    result = app.assistant.services.matcher.rank(asked)
    assert result.answered and result.matches[0].id == "2.12"


async def test_a_question_near_an_item_gets_that_item_among_the_suggestions(app):
    replies = await ask(app, "i live by the sea can i have a say")
    assert "not sure" in replies[0].plain_text
    assert replies[0].commands[0] == "show 4.2" and replies[0].commands[-1] == "browse"
