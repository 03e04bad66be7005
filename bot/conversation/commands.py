"""What a command is: its name and aliases, the typed arguments it takes, the handler that answers it, and the
context a handler receives. The registry is built once by the bootstrap (adapters/bootstrap.py) from the
handler modules' COMMANDS lists; nothing registers itself.

A command reaches the core in one of two ways, parsed once either way:
- typed: an adapter whose platform has typed options (Discord's slash commands) sets IncomingMessage.command
  to a CommandCall carrying the handler's own argument type (e.g. StatusUpdate for setstatus);
- as text ("/setstatus 2.12 complete \"note\"", "suivre HATVP"): the core splits the name off and the
  command's `parse` turns the rest into the same argument type, or raises UsageError.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Block, Capabilities, CommandCall, IncomingMessage, Reply, Style, capabilities_of
from bot.following.subscriptions import TargetIndex
from bot.i18n import t, tn
from bot.plan.matcher import Matcher
from bot.presentation.chart import ChartCache
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Chat
from knowledge.loader import KnowledgeBase

__all__ = ["Command", "CommandCall", "CommandRegistry", "Context", "Handler", "Services", "UsageError", "text"]


class UsageError(Exception):
    """A command's arguments do not make sense: the reply is the message `key` (with `values`), nothing changes."""

    def __init__(self, key: str, **values: object):
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Services:
    """What handlers may use besides the message: built once by the bootstrap, shared by every conversation."""

    kb: KnowledgeBase
    db: Database
    settings: Settings
    matcher: Matcher
    targets: TargetIndex
    charts: ChartCache
    commands: CommandRegistry
    clock: Callable[[], datetime]
    capabilities: Mapping[str, Capabilities] = field(default_factory=dict)  # each platform's, from its adapter


@dataclass
class Context:
    """What a command handler needs about the message being answered."""

    services: Services
    msg: IncomingMessage
    session: AsyncSession
    chat: Chat
    lang: str
    is_admin: bool
    notes: list[Reply] = field(default_factory=list)
    # The conversation's state (reply language, the item follow-ups refer to), written to the chat's row when the
    # answer is ready, so a question takes no write lock while it is being answered.
    chat_state: dict[str, object] = field(default_factory=dict)

    @property
    def kb(self) -> KnowledgeBase:
        return self.services.kb

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def capabilities(self) -> Capabilities:
        """What the message's platform can do (mentions, servers, admins' chats), from its adapter."""
        return capabilities_of(self.services.capabilities, self.msg.chat.platform)

    def now(self) -> datetime:
        return self.services.clock()

    def say(self, *texts: str, style: Style = Style.TEXT) -> Reply:
        return Reply(tuple(Block(text, style) for text in texts))

    def tr(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def trn(self, key: str, n: int, **values: object) -> str:
        """A message with plural forms, agreeing with n (which fills its {n})."""
        return tn(key, self.lang, n, **values)

    def remember_item(self, item_id: str) -> None:
        """This item was just shown: follow-ups ("who leads it?") refer to it for a few minutes."""
        if self.chat is not None:
            self.chat_state.update(context_item=item_id, context_at=self.now())


Handler = Callable[[Context, Any], Awaitable[list[Reply]]]


def text(args: str) -> str:
    """The default parser: the rest of the message, as typed (a question, an item reference, a word)."""
    return args


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    # A command typed without "/" is only taken as a command when its arguments make sense for it;
    # otherwise the text is a question ("status of the lobbying register?").
    bare: Callable[[Context, str], bool] = lambda ctx, args: not args
    admin: bool = False
    # Text arguments -> the handler's argument type (UsageError when they make no sense).
    parse: Callable[[str], Any] = text


class CommandRegistry(Mapping[str, Command]):
    """Commands by name and by alias."""

    def __init__(self, commands: Iterable[Command] = ()):
        self._by_name: dict[str, Command] = {}
        self._commands: list[Command] = []
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            if name in self._by_name:
                raise ValueError(f"two commands are called {name!r}")
            self._by_name[name] = command
        self._commands.append(command)

    def __getitem__(self, name: str) -> Command:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    @property
    def commands(self) -> tuple[Command, ...]:
        return tuple(self._commands)
