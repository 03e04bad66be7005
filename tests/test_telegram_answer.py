"""The answer first on Telegram (issue 8), end to end through the fake Bot API: what is actually sent fits
Telegram's limits (UTF-16 code units, 64-byte callback data) and the new buttons work."""

from __future__ import annotations

from tests.facts_support import load_facts
from tests.fakes.telegram_api import MAX_TEXT, telegram_length
from tests.telegram_support import FR_USER, USER, balanced, buttons, visible

pytest_plugins = ["tests.telegram_fixtures"]

CALLBACK_DATA_BYTES = 64


def assert_fits(message: dict) -> None:
    text = message["text"]
    assert telegram_length({"parse_mode": "HTML"}, text) <= MAX_TEXT  # what Telegram counts
    assert len(text.encode("utf-16-le")) // 2 <= MAX_TEXT  # and even the HTML with its tags
    assert balanced(text)
    assert all(len(data.encode()) <= CALLBACK_DATA_BYTES for _, data in buttons(message))


async def test_the_answer_comes_first_and_its_buttons_open_the_rest(tg, tg_service) -> None:
    tg.inject_message(USER, USER, "how often will the HATVP publish its analysis of lobbyists' declarations?")
    answer = await tg.wait_for_message(USER)
    assert_fits(answer)
    assert visible(answer["text"]).startswith("To show citizens how legislation is drafted")
    assert "every six months" in visible(answer["text"])[:300]
    commands = [data for _, data in buttons(answer)]
    assert commands[0] == "plan 2.12" and commands[1].startswith("related 2.12")
    assert {"follow 2.12", "browse"} <= set(commands)

    tg.inject_callback(USER, USER, answer["message_id"], "plan 2.12")
    plan = await tg.wait_for_message(USER, "2.12")
    assert_fits(plan)
    assert plan["message_id"] != answer["message_id"]  # the answer stays; the passage comes below it
    assert "<blockquote>Increase transparency surrounding lobbying" in plan["text"]

    tg.inject_callback(USER, USER, answer["message_id"], commands[1])
    related = await tg.wait_for_message(USER, "Related to 2.12")
    assert_fits(related)
    assert next(d for _, d in buttons(related) if d.startswith("show ")) != "show 2.12"

    tg.inject_callback(USER, USER, answer["message_id"], "follow 2.12")
    await tg.wait_for_message(USER, "2.12")
    tg.inject_message(USER, USER, "/subscriptions")
    assert "2.12" in (await tg.wait_for_message(USER))["text"]


async def test_typed_plan_and_related_commands_and_french(tg, tg_service) -> None:
    tg.inject_message(FR_USER, FR_USER, "/texte 2.11", language_code="fr")
    plan = await tg.wait_for_message(FR_USER)
    assert "<blockquote>Ouvrir davantage les travaux de la Cour des comptes" in plan["text"]
    tg.inject_message(FR_USER, FR_USER, "/related 2.11", language_code="fr")
    assert "En lien avec 2.11" in (await tg.wait_for_message(FR_USER))["text"]
    tg.inject_message(FR_USER, FR_USER, "combien de conseillers numériques vont être recrutés ?", language_code="fr")
    answer = await tg.wait_for_message(FR_USER)
    assert "4 000 conseillers numériques" in visible(answer["text"])
    assert ("📜 Texte du plan", "plan 3.7") in buttons(answer)


async def test_every_answer_and_the_longest_plan_texts_fit_telegram(tg, tg_service, tg_app) -> None:
    kb = tg_app.kb
    longest = sorted(kb.actions.values(), key=lambda a: len(a.text.fr or a.text.en))[-2:]
    commands = [f"/plan {a.id}" for a in longest] + ["/plan 1", "/show 1"]
    commands += [q.question for q in load_facts()[::8]]
    for index, text in enumerate(commands):
        tg.inject_message(FR_USER, FR_USER, text, language_code="fr" if index % 2 else "en")
        assert_fits(await tg.wait_for_message(FR_USER))
