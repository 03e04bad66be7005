"""Rendering a Reply for Telegram: escaped HTML, styles, 4,096-character chunks with balanced tags, buttons."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.telegram.capabilities import MESSAGE_LIMIT as TELEGRAM_LIMIT
from adapters.telegram.rendering import CAPTION_LIMIT, CallbackData, render, render_text
from bot.domain import Block, Button, Image, Reply, Style
from tests.telegram_support import balanced, visible

PNG = b"\x89PNG" + b"0" * 100


def test_every_style_and_every_text_is_escaped() -> None:
    reply = Reply((
        Block("Action <2.12> & co", Style.HEADING),
        Block("a < b && c > d"),
        Block("The plan says \"<script>\"", Style.QUOTE),
        Block("Source: plan", Style.META, url='https://example.org/p?a=1&b="2"'),
        Block("• one\n• two", Style.ITEM),
    ))
    [part] = render(reply, CallbackData())
    assert part.html == (
        "<b>Action &lt;2.12&gt; &amp; co</b>\n\n"
        "a &lt; b &amp;&amp; c &gt; d\n\n"
        "<blockquote>The plan says \"&lt;script&gt;\"</blockquote>\n\n"
        '<i><a href="https://example.org/p?a=1&amp;b=&quot;2&quot;">Source: plan</a></i>\n\n'
        "• one\n• two"
    )
    assert part.keyboard is None and part.photo is None


def test_only_web_links_become_links() -> None:
    [html] = render_text((Block("click", url="javascript:alert(1)"),))
    assert html == "click"


def test_a_long_reply_is_split_under_the_limit_with_balanced_tags() -> None:
    quote = " ".join(f"<w{i}> & more" for i in range(2000))  # about 30,000 characters once escaped
    reply = Reply(
        (Block("Title", Style.HEADING), Block(quote, Style.QUOTE), Block("end", Style.META)),
        ((Button("Follow", "follow 2.12"),),),
    )
    parts = render(reply, CallbackData())
    assert len(parts) >= 8
    for part in parts:
        assert len(part.html) <= TELEGRAM_LIMIT and balanced(part.html)
    assert all(p.html.count("<blockquote>") == p.html.count("</blockquote>") for p in parts)
    assert [p.keyboard is not None for p in parts] == [False] * (len(parts) - 1) + [True]
    words = " ".join(visible(p.html) for p in parts).split()
    assert words == ["Title", *quote.split(), "end"]  # nothing lost, nothing doubled


@settings(max_examples=60, deadline=None)
@given(st.lists(
    st.tuples(st.text(alphabet="ab <>&\"'\n é🙂", max_size=400), st.sampled_from(list(Style)),
              st.sampled_from([None, "https://x.org/?q=<&>"])),
    max_size=6,
))
def test_any_reply_fits_and_stays_well_formed(blocks) -> None:
    reply = Reply(tuple(Block(text, style, url) for text, style, url in blocks))
    chunks = render_text(reply.blocks, limit=120)
    for chunk in chunks:
        assert len(chunk) <= 120 and balanced(chunk)
    expected = " ".join(text for text, _, _ in blocks).split()
    assert " ".join(visible(c) for c in chunks).split() == expected


def test_buttons_carry_their_command_and_long_ones_a_token() -> None:
    callbacks = CallbackData(capacity=2)
    long_command = "ask " + "é" * 40  # 84 bytes
    reply = Reply((Block("x"),), ((Button("Show", "show 2.12"), Button("Ask", long_command)),))
    [part] = render(reply, callbacks)
    [[show, ask]] = part.keyboard.inline_keyboard
    assert (show.text, show.callback_data) == ("Show", "show 2.12")
    assert ask.callback_data.startswith("~") and len(ask.callback_data.encode()) <= 64
    assert callbacks.decode(ask.callback_data) == long_command
    assert callbacks.encode(long_command) == ask.callback_data  # the same command keeps its token
    assert callbacks.decode("show 2.12") == "show 2.12"
    callbacks.encode("ask " + "a" * 70)
    callbacks.encode("ask " + "b" * 70)
    assert callbacks.decode(ask.callback_data) is None  # expired: only the 2 most recent are kept


def test_a_command_sent_again_keeps_its_token_longest() -> None:
    callbacks = CallbackData(capacity=2)
    first, second, third = (callbacks.encode(f"ask {letter * 70}") for letter in "abc")
    assert callbacks.decode(first) is None and callbacks.decode(second) == "ask " + "b" * 70
    callbacks.encode("ask " + "b" * 70)  # "b" is sent again: now the most recent
    callbacks.encode("ask " + "d" * 70)
    assert callbacks.decode(second) == "ask " + "b" * 70 and callbacks.decode(third) is None


def test_a_token_made_by_another_process_is_unknown_never_another_command() -> None:
    worker, web = CallbackData(), CallbackData()  # two processes: one sends the buttons, the other gets the press
    web.encode("related about.what-is-ogp about.the-national-action-plan about.who-drafts-it")
    from_worker = worker.encode("related about.civil-society about.the-forum about.how-to-take-part-in-it")
    assert web.decode(from_worker) is None


def test_a_photo_carries_a_short_text_as_caption() -> None:
    reply = Reply((Block("Status by <commitment>"),), ((Button("Browse", "browse"),),),
                  image=Image(PNG, "progress.png", "chart"))
    [part] = render(reply, CallbackData())
    assert part.photo is not None and part.html == "Status by &lt;commitment&gt;"
    assert part.keyboard is not None


def test_a_photo_with_a_long_text_sends_the_text_after_it() -> None:
    reply = Reply((Block("x " * CAPTION_LIMIT),), ((Button("Browse", "browse"),),),
                  image=Image(PNG, "progress.png", "A <chart>"))
    photo, *texts = render(reply, CallbackData())
    assert photo.photo is not None and photo.html == "A &lt;chart&gt;" and photo.keyboard is None
    assert texts and texts[-1].keyboard is not None


def test_an_empty_reply_renders_nothing() -> None:
    assert render(Reply(), CallbackData()) == []


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_length_is_measured_in_utf16_code_units_as_telegram_does() -> None:
    # An emoji is one Python character but two UTF-16 code units: 3,000 of them are 6,000 units for Telegram.
    reply = Reply((Block("Title", Style.HEADING), Block("😀" * 3000), Block("📜 end", Style.META)))
    parts = render(reply, CallbackData())
    assert len(parts) >= 2
    assert all(utf16(p.html) <= TELEGRAM_LIMIT and balanced(p.html) for p in parts)
    assert "".join(visible(p.html) for p in parts).count("😀") == 3000
