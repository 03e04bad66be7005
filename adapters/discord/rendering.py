"""A core Reply as Discord messages: embeds within Discord's limits, buttons in persistent views, the chart."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import discord

from adapters.discord.capabilities import CAPABILITIES
from adapters.discord.views import command_view
from bot.domain import Block, Button, Image, Reply, Style
from bot.presentation.fitting import pack, split_to_fit

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000  # all embeds of one message together
EMBEDS_PER_MESSAGE = 10
CONTENT_LIMIT = CAPABILITIES.message_limit  # a message's content
ROWS_PER_MESSAGE = 5
BUTTONS_PER_ROW = 5
BUTTONS_PER_MESSAGE = ROWS_PER_MESSAGE * BUTTONS_PER_ROW
COLOUR = discord.Colour(0x000091)  # the French government's blue


@dataclass
class Outgoing:
    """One Discord message to send (or to put in place of the clicked one)."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)
    image: Image | None = None

    def view(self, scope: str = "") -> discord.ui.View | None:
        return command_view(self.buttons, scope) if self.buttons else None

    def files(self) -> list[discord.File]:
        """Fresh file objects: discord.File is a stream, good for one send only."""
        if self.image is None:
            return []
        return [discord.File(io.BytesIO(self.image.data), filename=self.image.filename, description=self.image.alt)]

    def kwargs(self, scope: str = "") -> dict:
        """Keyword arguments for send_message / followup.send / Messageable.send."""
        out: dict = {"embeds": self.embeds}
        if self.content:
            out["content"] = self.content
        view = self.view(scope)
        if view is not None:
            out["view"] = view
        files = self.files()
        if files:
            out["files"] = files
        return out


def block_markdown(block: Block) -> str:
    text = discord.utils.escape_markdown(block.text)
    if block.style == Style.QUOTE:
        return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())
    if block.url:
        label = text.replace("[", "(").replace("]", ")")
        text = f"[{label}]({block.url})"
    if block.style == Style.META:
        return "\n".join(f"*{line}*" if line.strip() else line for line in text.splitlines())
    if block.style == Style.HEADING:
        return f"**{text}**"
    return text


def _title(text: str) -> tuple[str, str | None]:
    """An embed title, and the whole heading to repeat in the description when it had to be shortened."""
    text = " ".join(text.split())
    if len(text) <= TITLE_LIMIT:
        return text, None
    return text[: TITLE_LIMIT - 1].rstrip() + "…", f"**{discord.utils.escape_markdown(text)}**"


def _embeds(reply: Reply) -> list[discord.Embed]:
    blocks = list(reply.blocks)
    title = overflow = author = link = None
    # A small line above the heading (an alert's "🔔 Status change") becomes the embed's author line.
    if len(blocks) > 1 and blocks[0].style == Style.META and blocks[1].style == Style.HEADING:
        author = _title(blocks.pop(0).text)[0]
    if blocks and blocks[0].style == Style.HEADING:
        heading = blocks.pop(0)
        title, overflow = _title(heading.text)
        link = heading.url  # an alert's action links to its public page (PUBLIC_URL)
    parts = ([overflow] if overflow else []) + [block_markdown(b) for b in blocks]
    parts = [p for p in parts if p.strip()]
    chunks = pack(parts, DESCRIPTION_LIMIT, "\n\n") if parts else []
    embeds = [discord.Embed(description=chunk, colour=COLOUR) for chunk in chunks]
    if not embeds:
        embeds = [discord.Embed(colour=COLOUR)]
    if title:
        embeds[0].title = title
        if link:
            embeds[0].url = link
    if author:
        embeds[0].set_author(name=author)
    return embeds


def _group(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds per message: at most 10, and at most 6,000 characters of title and description together."""
    messages: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        length = len(embed)
        if current and (size + length > EMBED_TOTAL_LIMIT or len(current) == EMBEDS_PER_MESSAGE):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += length
    if current:
        messages.append(current)
    return messages


def layout_buttons(rows: tuple[tuple[Button, ...], ...]) -> list[list[list[Button]]]:
    """Button rows per message. The core's rows are kept when they fit (5 rows of 5); a long list (one button
    per row) is reflowed 5 to a row, and beyond 25 buttons continues on further messages."""
    rows = tuple(row for row in rows if row)
    if len(rows) <= ROWS_PER_MESSAGE and all(len(row) <= BUTTONS_PER_ROW for row in rows):
        return [[list(row) for row in rows]] if rows else []
    flat = [button for row in rows for button in row]
    pages = [flat[i : i + BUTTONS_PER_MESSAGE] for i in range(0, len(flat), BUTTONS_PER_MESSAGE)]
    return [[page[i : i + BUTTONS_PER_ROW] for i in range(0, len(page), BUTTONS_PER_ROW)] for page in pages]


def render_reply(reply: Reply, *, more_label: str = "…") -> list[Outgoing]:
    """The messages that carry a reply: text first, the buttons and the image on the last text message."""
    messages = [Outgoing(embeds=group) for group in _group(_embeds(reply))]
    last = messages[-1]
    if reply.image is not None:
        last.embeds[-1].set_image(url=f"attachment://{reply.image.filename}")
        last.image = reply.image
    pages = layout_buttons(reply.buttons)
    if pages:
        last.buttons = pages[0]
        messages += [Outgoing(content=more_label, buttons=page) for page in pages[1:]]
    return messages


def plain_chunks(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Message contents of at most 2,000 characters."""
    return [chunk for chunk in split_to_fit(text, limit) if chunk.strip()]
