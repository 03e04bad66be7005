"""Talking to the bot in a private chat, end to end: real python-telegram-bot against the fake Bot API."""

from __future__ import annotations

from adapters.telegram.commands import ADMIN, FRENCH_NAMES, PUBLIC
from tests.telegram_support import ADMIN as ADMIN_ID
from tests.telegram_support import FR_USER, USER, balanced, buttons, visible

pytest_plugins = ["tests.telegram_fixtures"]


async def test_a_question_is_answered_in_html_with_buttons(tg, tg_service) -> None:
    tg.inject_message(USER, USER, "What is France doing on lobbying transparency?")
    answer = await tg.wait_for_message(USER)
    call = tg.calls_to("sendMessage")[0]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert "2.12" in answer["text"] and "<i>" in answer["text"] and balanced(answer["text"])
    commands = [data for _, data in buttons(answer)]
    assert any(c.startswith("follow ") for c in commands) and "browse" in commands
    # The plan's own passage (a quote, with a link to its source) is behind the "Plan text" button.
    tg.inject_callback(USER, USER, answer["message_id"], "plan 2.12")
    passage = await tg.wait_for_message(USER, "2.12")
    assert "<blockquote>" in passage["text"] and '<a href="https://' in passage["text"]
    assert balanced(passage["text"])


async def test_user_text_is_escaped(tg, tg_service) -> None:
    tg.inject_message(USER, USER, "/show <b>9.99</b> & co")
    answer = await tg.wait_for_message(USER)
    assert "&lt;b&gt;9.99&lt;/b&gt; &amp; co" in answer["text"]
    assert "<b>9.99" not in answer["text"]


async def test_commands_lose_the_bot_suffix_and_deep_links_open_an_item(tg, tg_service) -> None:
    tg.inject_message(USER, USER, "/show@opengov_test_bot 2.12")
    assert "Action 2.12" in visible((await tg.wait_for_message(USER))["text"])
    tg.inject_message(USER, USER, "/start show_2_12")
    assert "Action 2.12" in visible((await tg.wait_for_message(USER))["text"])
    tg.inject_message(USER, USER, "/show")  # the slash keeps it a command: a usage hint, not a search
    assert "show 2.12" in (await tg.wait_for_message(USER))["text"]


async def test_browse_then_show_then_follow_by_pressing_buttons(tg, tg_service) -> None:
    tg.inject_message(USER, USER, "/browse")
    menu = await tg.wait_for_message(USER, "6")
    assert ("browse 2" in [data for _, data in buttons(menu)])

    press = tg.inject_callback(USER, USER, menu["message_id"], "browse 2")
    edited = await tg.wait_for_message(USER)
    assert edited["message_id"] == menu["message_id"] and "edit_date" in edited  # browsing edits in place
    assert "show 2.12" in [data for _, data in buttons(edited)]
    answered = await tg.wait_for(lambda calls: [c for c in calls if c.method == "answerCallbackQuery"])
    assert answered[0].params["callback_query_id"] == press["callback_query"]["id"]

    tg.inject_callback(USER, USER, menu["message_id"], "show 2.12")
    shown = await tg.wait_for_message(USER, "2.12")
    assert shown["message_id"] != menu["message_id"]  # an item's page is a new message
    assert "follow 2.12" in [data for _, data in buttons(shown)]

    tg.inject_callback(USER, USER, shown["message_id"], "follow 2.12")
    confirmed = await tg.wait_for_message(USER, "2.12")
    assert confirmed["message_id"] != shown["message_id"]
    tg.inject_message(USER, USER, "/subscriptions")
    assert "2.12" in (await tg.wait_for_message(USER))["text"]
    assert len(tg.calls_to("answerCallbackQuery")) == 3


async def test_progress_sends_a_photo_with_caption(tg, tg_service) -> None:
    tg.inject_message(USER, USER, "/progress")
    photo = await tg.wait_for_message(USER)
    call = tg.calls_to("sendPhoto")[0]
    assert call.files["photo"] > 1000 and call.params["parse_mode"] == "HTML"
    assert photo["photo"] and "Status" in photo["caption"]


async def test_french_speakers_get_french(tg, tg_service) -> None:
    tg.inject_message(FR_USER, FR_USER, "/help", language_code="fr")
    assert "Ce que je sais faire" in (await tg.wait_for_message(FR_USER))["text"]
    tg.inject_message(USER, USER, "/help", language_code="en")
    assert "What I can do" in (await tg.wait_for_message(USER))["text"]


async def test_command_menus_in_english_and_french(tg, tg_service) -> None:
    english, french = tg.commands[("default", "")], tg.commands[("default", "fr")]
    assert [c["command"] for c in english] == list(PUBLIC)
    # The French menu lists the French names ("aide", "parcourir", "suivre"…), each one a command of the core.
    assert [c["command"] for c in french] == [FRENCH_NAMES[name] for name in PUBLIC]
    assert {"aide", "parcourir", "voir", "suivre", "desabonner", "abonnements", "langue"} <= {
        c["command"] for c in french}
    assert all(tg_service.handlers.assistant.commands[c["command"]].name == name for c, name in zip(french, PUBLIC))
    assert english[0]["description"] != french[0]["description"]
    assert all(3 <= len(c["description"]) <= 256 for c in english + french)
    admin_menu = tg.commands[(f"chat:{ADMIN_ID}", "fr")]
    assert [c["command"] for c in admin_menu] == [FRENCH_NAMES[name] for name in PUBLIC] + list(ADMIN)


async def test_a_long_button_command_travels_by_token(tg, tg_service) -> None:
    long_command = "ask " + "what does the plan say about lobbying transparency and the register " * 2
    token = tg_service.callbacks.encode(long_command)
    assert token.startswith("~") and len(token.encode()) <= 64
    tg.inject_message(USER, USER, "/about")
    about = await tg.wait_for_message(USER)
    tg.inject_callback(USER, USER, about["message_id"], token)
    assert "lobby" in (await tg.wait_for_message(USER))["text"].lower()

    tg.inject_callback(USER, USER, about["message_id"], "~ffffff")  # from before a restart
    expired = await tg.wait_for(lambda calls: [c for c in calls if c.method == "answerCallbackQuery"
                                               and c.params.get("text")])
    assert "expired" in expired[0].params["text"] and expired[0].params["show_alert"] is True


async def test_an_answer_waits_out_flood_control_instead_of_being_dropped(tg, tg_service) -> None:
    tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
    tg.inject_message(USER, USER, "/help")
    assert "What I can do" in (await tg.wait_for_message(USER, timeout=5))["text"]
    assert [c.status for c in tg.calls_to("sendMessage")] == [429, 200]


async def test_a_french_message_from_an_english_client_gets_french(tg, tg_service) -> None:
    tg.inject_message(USER, USER, "jai vu un truc sur le registre des lobbys", language_code="en")
    answer = await tg.wait_for_message(USER)
    assert "Renforcer la transparence du lobbying" in answer["text"] and "Statut" in answer["text"]
    assert "Status:" not in answer["text"]
    assert "🔔 Suivre 2.12" in [text for text, _ in buttons(answer)]
    # the follow-up « qui s'en occupe ? » refers to it, in French
    tg.inject_message(USER, USER, "qui s'en occupe ?", language_code="en")
    leads = await tg.wait_for_message(USER)
    assert "Action 2.12" in leads["text"] and "Mise en œuvre" in leads["text"]
