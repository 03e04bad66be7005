"""The small, frozen vocabulary the core speaks with every adapter: who wrote, what they wrote, what we reply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Platform(StrEnum):
    CONSOLE = "console"
    TELEGRAM = "telegram"
    DISCORD = "discord"


@dataclass(frozen=True)
class ChatRef:
    """Where a conversation happens and where alerts go: a person's DM, a group or a server channel."""

    platform: str
    chat_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.chat_id}"


@dataclass(frozen=True)
class Capabilities:
    """What the core needs to know about a platform, provided by its adapter (the adapter's `capabilities`
    module; the composition root hands the core one per platform). This plain one is the console's, and the
    core's guess for a platform it was given nothing for: ids shown as they are, no servers, a generous limit.
    An adapter subclasses it and overrides what differs."""

    platform: str
    message_limit: int = 100_000  # the most one message may hold, as the platform counts it

    def mention_channel(self, channel_id: str) -> str:
        """A channel as a message names it (Discord: "<#id>", shown as a link to the channel)."""
        return channel_id

    def mention_role(self, role_id: str) -> str:
        """A role as a message names it (Discord: "<@&id>")."""
        return role_id

    def is_server_chat(self, chat_id: str) -> bool:
        """A chat whose alerts go to a channel chosen with setup (a Discord server), not to the chat itself."""
        return False

    def admin_chat(self, user_id: str) -> ChatRef:
        """The private chat where the admin `user_id` (an id of settings' *_ADMIN_IDS) is reached."""
        return ChatRef(self.platform, user_id)


def capabilities_of(capabilities: Mapping[str, Capabilities], platform: str) -> Capabilities:
    """The platform's capabilities in `capabilities`; the plain default for a platform not in it."""
    return capabilities.get(platform) or Capabilities(platform)


@dataclass(frozen=True)
class Recipient:
    """A chat as the delivery worker sees it: where its alerts actually go and how."""

    chat: ChatRef
    target: str | None = None  # deliver here instead of the chat itself (a Discord server's alert channel)
    mention: str | None = None  # prefix alerts with this mention (a Discord role id)
    origin: str | None = None  # where the person last talked to us, to explain an undeliverable DM


@dataclass(frozen=True)
class CommandCall:
    """A command whose arguments are already typed: the platform's options filled the handler's own argument
    type (bot/conversation/commands.py; e.g. Discord's /setstatus gives a StatusUpdate). Text commands are parsed by the core."""

    name: str
    args: Any = ""


@dataclass(frozen=True)
class IncomingMessage:
    chat: ChatRef
    user_id: str
    text: str
    locale: str | None = None  # the platform's language hint ("fr-FR", "en")
    is_group: bool = False  # a group chat / server channel rather than a private conversation
    can_manage_chat: bool = True  # in a group: may this user change the group's follows and settings?
    via_button: bool = False  # the text comes from a pressed button, not typed
    origin: str | None = None  # the channel the message came from, when the chat is not itself a channel
    language: str | None = None  # reply in this language whatever the message or chat says (a CLI flag)
    command: CommandCall | None = None  # a typed command (then `text` is only its display form, e.g. "/show")


class Style(StrEnum):
    HEADING = "heading"
    TEXT = "text"
    QUOTE = "quote"  # a citation of the plan
    META = "meta"  # small print: source, dates
    ITEM = "item"  # a list entry


@dataclass(frozen=True)
class Block:
    text: str
    style: Style = Style.TEXT
    url: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    command: str  # what pressing it sends back, e.g. "show 2.12"


@dataclass(frozen=True)
class Image:
    data: bytes
    filename: str
    alt: str


@dataclass(frozen=True)
class Reply:
    blocks: tuple[Block, ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    image: Image | None = None
    edit: bool = False  # a browsing step: adapters may edit the previous message in place

    @property
    def plain_text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)

    @property
    def commands(self) -> list[str]:
        return [b.command for row in self.buttons for b in row]


@dataclass(frozen=True)
class DeliveryResult:
    message_ids: tuple[str, ...] = field(default_factory=tuple)


class TemporaryDeliveryError(Exception):
    """Try again later (rate limited, network down, server error)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(Exception):
    """Never try this recipient again (blocked the bot, chat deleted, DMs closed)."""


class RejectedMessageError(Exception):
    """The platform refused this one message as we wrote it (too long, bad markup): our bug, not the
    recipient's doing. That message fails; the recipient stays active and gets the next ones."""


class Outbound(Protocol):
    """The one output port: deliver a reply to a chat, outside any conversation (alerts, announcements).

    An outbound whose delivery is a database write (the console) may set `stores_in_transaction = True` and
    offer `store(session, chat_pk, recipient, reply, key=...)`: the worker then calls it inside the delivery's
    own transaction instead of `send`.
    """

    async def send(self, recipient: Recipient, reply: Reply, *, key: str) -> DeliveryResult:
        """Deliver or raise TemporaryDeliveryError / PermanentDeliveryError / ChatMovedError.

        `key` is the notification's idempotency key, for outbounds able to deduplicate.
        """
        ...


class ChatMovedError(Exception):
    """The chat now lives under another id (a Telegram group upgraded to a supergroup)."""

    def __init__(self, new_chat: ChatRef):
        super().__init__(f"chat moved to {new_chat}")
        self.new_chat = new_chat
