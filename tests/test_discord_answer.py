"""The answer first on Discord (issue 8), end to end through the fake Discord: the embed and buttons actually
sent fit Discord's limits, and the new buttons (persistent, "og:" custom ids) and slash commands work."""

from __future__ import annotations

from tests.discord_support import ALICE, GUILD, buttons, embed_text
from tests.facts_support import load_facts

pytest_plugins = ["tests.discord_fixtures"]  # its fixtures: fake, discord_settings, discord_app, discord_service

DESCRIPTION, EMBED_TOTAL, COMPONENTS, CUSTOM_ID, LABEL = 4096, 6000, 25, 100, 80


def assert_fits(payload: dict) -> None:
    embeds = payload.get("embeds", [])
    assert all(len(e.get("description", "")) <= DESCRIPTION for e in embeds)
    assert sum(len(e.get("title", "")) + len(e.get("description", "")) for e in embeds) <= EMBED_TOTAL
    rows = payload.get("components", [])
    items = [c for row in rows for c in row["components"]]
    assert len(rows) <= 5 and all(len(row["components"]) <= 5 for row in rows) and len(items) <= COMPONENTS
    assert all(len(c["custom_id"]) <= CUSTOM_ID and len(c.get("label", "")) <= LABEL for c in items)


async def test_ask_then_plan_related_follow_by_buttons(fake, discord_service, discord_app):
    rec = await fake.slash("ask", {"question": "how many digital advisors will be hired?"}, user_id=ALICE,
                           guild_id=GUILD)
    await fake.wait_response(rec, followups=1)
    answer = rec.followups[0]["json"]
    assert_fits(answer)
    assert answer["embeds"][0]["description"].startswith("4,000 digital advisors will be hired")
    ids = buttons(answer)
    assert ids[:1] == ["og:plan 3.7"] and ids[1].startswith("og:related 3.7")
    assert {"og:follow 3.7", "og:browse"} <= set(ids)

    plan = await fake.click("og:plan 3.7", message_id=rec.original_message_id, user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(plan)
    assert cb["type"] == 4 and cb["data"]["embeds"][0]["title"].startswith("Action 3.7")
    assert "> Make digital literacy support available countrywide" in cb["data"]["embeds"][0]["description"]
    assert_fits(cb["data"])

    related = await fake.click(ids[1], message_id=rec.original_message_id, user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(related)
    assert "Related to 3.7" in embed_text(cb["data"]) and any(i.startswith("og:show ") for i in buttons(cb["data"]))
    assert_fits(cb["data"])

    follow = await fake.click("og:follow 3.7", message_id=rec.original_message_id, user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(follow)
    assert "og:unfollow 3.7" in buttons(cb["data"])


async def test_plan_and_related_slash_commands_in_french(fake, discord_service):
    sent = {c["name"]: c for c in fake.registered_commands[None]}
    assert sent["plan"]["description_localizations"]["fr"] and sent["related"]["description_localizations"]["fr"]
    rec = await fake.slash("plan", {"item": "2.12"}, user_id=ALICE, guild_id=GUILD, locale="fr")
    cb = await fake.wait_response(rec)
    assert "Renforcer la transparence du lobbying" in embed_text(cb["data"])
    rec = await fake.slash("related", {"item": "2.12"}, user_id=ALICE, guild_id=GUILD, locale="fr")
    cb = await fake.wait_response(rec)
    assert "En lien avec 2.12" in embed_text(cb["data"])


async def test_answers_and_plan_texts_fit_discord(fake, discord_service, discord_app):
    longest = max(discord_app.kb.actions.values(), key=lambda a: len(a.text.fr or a.text.en))
    for q in load_facts()[::12]:
        rec = await fake.slash("ask", {"question": q.question}, user_id=ALICE, guild_id=GUILD, locale=q.lang)
        await fake.wait_response(rec, followups=1)
        assert_fits(rec.followups[0]["json"])
    rec = await fake.slash("plan", {"item": longest.id}, user_id=ALICE, guild_id=GUILD, locale="fr")
    assert_fits((await fake.wait_response(rec))["data"])
