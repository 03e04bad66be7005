"""Discord rendering without a network: embeds within Discord's limits, button layout, menu translations."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from adapters.discord.i18n import CATALOGUES
from adapters.discord.rendering import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    TITLE_LIMIT,
    layout_buttons,
    plain_chunks,
    render_reply,
)
from adapters.discord.translate import CoreTranslator, item_choices
from adapters.discord.views import CommandButton, command_view
from bot.domain import Block, Button, Image, Reply, Style
from knowledge.loader import default_knowledge

MESSAGES = CATALOGUES.messages()  # the Discord adapter's own messages


def test_heading_quote_meta_and_link():
    reply = Reply((
        Block("Action 2.12 — Lobbying", Style.HEADING),
        Block("Plain *text*"),
        Block("first line\nsecond line", Style.QUOTE),
        Block("Source: plan, p. 3", Style.META, "https://example.org/plan.pdf"),
    ))
    [out] = render_reply(reply)
    [embed] = out.embeds
    assert embed.title == "Action 2.12 — Lobbying"
    assert "Plain \\*text\\*" in embed.description  # the core's text is not Discord markdown
    assert "> first line\n> second line" in embed.description
    assert "*[Source: plan, p. 3](https://example.org/plan.pdf)*" in embed.description
    assert out.view() is None and out.files() == []


def test_meta_line_before_the_heading_becomes_the_author_line():
    [out] = render_reply(Reply((Block("🔔 Status change", Style.META), Block("2.12 · Lobbying", Style.HEADING),
                                Block("Limited → Complete"))))
    assert out.embeds[0].author.name == "🔔 Status change" and out.embeds[0].title == "2.12 · Lobbying"


def test_long_replies_respect_every_embed_limit():
    paragraphs = tuple(Block(f"Paragraph {i}: " + "word " * 400) for i in range(12))  # ~24,000 characters
    reply = Reply((Block("T" * 400, Style.HEADING), *paragraphs), ((Button("Next", "browse"),),))
    outs = render_reply(reply)
    assert len(outs) >= 4
    for out in outs:
        assert 1 <= len(out.embeds) <= 10
        assert sum(len(e) for e in out.embeds) <= EMBED_TOTAL_LIMIT
        for embed in out.embeds:
            assert len(embed.title or "") <= TITLE_LIMIT and len(embed.description or "") <= DESCRIPTION_LIMIT
    assert outs[0].embeds[0].title.endswith("…")
    assert "T" * 400 in outs[0].embeds[0].description  # the whole heading is kept in the text
    text = "".join(e.description for out in outs for e in out.embeds)
    assert all(f"Paragraph {i}:" in text for i in range(12))
    assert [out.view() is not None for out in outs] == [False] * (len(outs) - 1) + [True]  # buttons come last


def test_buttons_keep_core_rows_or_reflow_long_lists():
    rows = ((Button("a", "show 1"), Button("b", "show 2")), (Button("c", "browse"),))
    assert [[b.command for b in row] for row in layout_buttons(rows)[0]] == [["show 1", "show 2"], ["browse"]]
    long = tuple((Button(f"Action {i}", f"show 2.{i}"),) for i in range(1, 31))  # 30 one-button rows
    pages = layout_buttons(long)
    assert [len(page) for page in pages] == [5, 1] and all(len(row) <= 5 for page in pages for row in page)
    outs = render_reply(Reply((Block("List", Style.HEADING),), long), more_label="More choices:")
    assert outs[-1].content == "More choices:" and len(outs[-1].view().children) == 5
    assert len(outs[0].view().children) == 25


def test_view_is_persistent_and_custom_ids_fit():
    view = command_view([[Button("Show", "show 2.12"), Button("Dup", "show 2.12")], [Button("Long", "x" * 120)]])
    assert view.timeout is None and view.is_persistent()
    assert [item.custom_id for item in view.children] == ["og:show 2.12"]
    [item] = view.children
    assert isinstance(item, CommandButton) and item.command == "show 2.12"
    server = command_view([[Button("Unfollow", "unfollow 2.12")]], scope="s")
    assert server.children[0].custom_id == "ogs:unfollow 2.12"
    label = command_view([[Button("L" * 100, "browse")]]).children[0].item.label
    assert len(label) == 80


def test_image_is_attached_and_shown_in_the_embed():
    reply = Reply((Block("Chart"),), image=Image(b"\x89PNG...", "progress.png", "the chart"))
    [out] = render_reply(reply)
    assert out.embeds[-1].image.url == "attachment://progress.png"
    [file] = out.files()
    assert file.filename == "progress.png" and file.fp.read() == b"\x89PNG..."
    assert out.files()[0] is not file  # a fresh stream per send


def test_plain_content_is_cut_at_2000():
    chunks = plain_chunks("\n\n".join("x" * 900 for _ in range(5)))
    assert len(chunks) == 3 and all(len(c) <= CONTENT_LIMIT for c in chunks)


async def test_translator_gives_french_for_every_menu_text():
    translator = CoreTranslator()
    context = app_commands.TranslationContext(app_commands.TranslationContextLocation.other, None)
    string = app_commands.locale_str("Ask", key="dc_cmd_ask")
    assert await translator.translate(string, discord.Locale.french, context) == MESSAGES["dc_cmd_ask"]["fr"]
    assert await translator.translate(string, discord.Locale.german, context) is None
    fixed = app_commands.locale_str("Complete", fr="Achevée")
    assert await translator.translate(fixed, discord.Locale.french, context) == "Achevée"


@pytest.mark.parametrize("key", [k for k in MESSAGES if k.startswith(("dc_cmd_", "dc_opt_", "dc_choice_"))])
def test_menu_texts_fit_discord_limits(key):
    assert all(1 <= len(MESSAGES[key][lang]) <= 100 for lang in ("en", "fr"))


def test_autocomplete_ids_and_titles_in_the_users_language():
    kb = default_knowledge()
    french = item_choices(kb, "lobby", "fr")
    assert french and french[0].value == "2.12" and "Renforcer" in french[0].name
    by_id = item_choices(kb, "2.1", "en")
    assert [c.value for c in by_id[:3]] == ["2.1", "2.10", "2.11"]
    everything = item_choices(kb, "", "en")
    assert len(everything) == 25 and all(len(c.name) <= 100 for c in everything)
    institutions = item_choices(kb, "hatvp", "en", institutions=True)
    assert institutions and institutions[0].value == "HATVP"


def test_the_package_name_does_not_shadow_discord_py():
    import adapters.discord.service as adapter

    assert discord.Client is not None and "site-packages" in discord.__file__
    assert adapter.DiscordService.name == "discord"
