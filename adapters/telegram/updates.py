"""PTB callbacks: a Telegram update becomes an IncomingMessage for the core; its replies go back to the chat."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, ExtBot, MessageHandler, filters

from adapters.telegram.addressing import GroupManagers, is_group, text_for_core
from adapters.telegram.i18n import t
from adapters.telegram.outbound import NO_PREVIEW, send_part
from adapters.telegram.rendering import CallbackData, Part, render
from bot.conversation.assistant import Assistant
from bot.domain import ChatRef, IncomingMessage, Platform, Reply
from bot.i18n import pick_language
from bot.storage.chats import move_chat
from bot.storage.db import Database

log = logging.getLogger(__name__)
FLOOD_RETRIES = 2  # someone is waiting for this answer: wait out a 429 rather than drop it


def chat_ref(chat_id: int) -> ChatRef:
    return ChatRef(Platform.TELEGRAM, str(chat_id))


class TelegramHandlers:
    """Translates updates for the core and answers in place (browsing) or with new messages."""

    def __init__(self, bot: ExtBot, assistant: Assistant, db: Database, callbacks: CallbackData,
                 managers: GroupManagers):
        self.bot, self.assistant, self.db = bot, assistant, db
        self.callbacks, self.managers = callbacks, managers

    def register(self, application: Application) -> None:
        application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migration))
        application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self.on_message))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_error_handler(self.on_error)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A typed message or command; in groups only those addressed to us."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or user.is_bot:
            return
        text = text_for_core(message, context.bot.id, context.bot.username, self.assistant.commands)
        if text is None:
            return
        incoming = await self._incoming(message, user.id, user.language_code, text, via_button=False)
        replies = await self.assistant.handle(incoming)
        await self._answer(message.chat.id, replies, reply_to=message.message_id if incoming.is_group else None)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button: acknowledge it, run its command, edit the message when browsing."""
        query = update.callback_query
        if query is None:
            return
        message = query.message if isinstance(query.message, Message) else None
        command = self.callbacks.decode(query.data or "")
        if message is None or command is None:
            lang = pick_language(query.from_user.language_code, default=self.assistant.settings.default_language)
            await self._quietly(query.answer(t("tg_button_expired", lang), show_alert=True))
            return
        await self._quietly(query.answer())
        user = query.from_user
        incoming = await self._incoming(message, user.id, user.language_code, command, via_button=True)
        replies = await self.assistant.handle(incoming)
        await self._answer(message.chat.id, replies, edit=message)

    async def on_migration(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its follows and settings move with it."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            await move_chat(self.db, chat_ref(message.chat.id), chat_ref(message.migrate_to_chat_id))
        elif message.migrate_from_chat_id:
            await move_chat(self.db, chat_ref(message.migrate_from_chat_id), chat_ref(message.chat.id))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if isinstance(error, TelegramError):
            log.warning("telegram update not handled: %s: %s", type(error).__name__, error.message)
        else:
            log.error("telegram update failed", exc_info=error)

    async def _incoming(self, message: Message, user_id: int, locale: str | None, text: str, *,
                        via_button: bool) -> IncomingMessage:
        group = is_group(message)
        return IncomingMessage(
            chat=chat_ref(message.chat.id),
            user_id=str(user_id),
            text=text,
            locale=locale,
            is_group=group,
            can_manage_chat=await self.managers.can_manage(message, user_id) if group else True,
            via_button=via_button,
        )

    async def _answer(self, chat_id: int, replies: list[Reply], *, reply_to: int | None = None,
                      edit: Message | None = None) -> None:
        try:
            await self._send_all(chat_id, replies, reply_to, edit)
        except ChatMigrated as exc:
            await move_chat(self.db, chat_ref(chat_id), chat_ref(exc.new_chat_id))
            await self._send_all(exc.new_chat_id, replies, None, None)
        except Forbidden as exc:
            log.info("cannot answer a telegram chat: %s", exc.message)

    async def _send_all(self, chat_id: int, replies: list[Reply], reply_to: int | None,
                        edit: Message | None) -> None:
        for index, reply in enumerate(replies):
            parts = render(reply, self.callbacks)
            if index == 0 and reply.edit and edit is not None and await self._edit(edit, parts):
                continue
            for part in parts:
                await send_part(self.bot, chat_id, part, reply_to=reply_to, flood_retries=FLOOD_RETRIES)
                reply_to = None  # quote the question once, above the first answer

    async def _edit(self, message: Message, parts: list[Part]) -> bool:
        """Replace a browsing message's text and buttons; False when it cannot be edited (then send anew)."""
        if len(parts) != 1 or parts[0].photo is not None or message.text is None:
            return False
        try:
            await self.bot.edit_message_text(
                parts[0].html, message.chat.id, message.message_id, parse_mode=ParseMode.HTML,
                reply_markup=parts[0].keyboard, link_preview_options=NO_PREVIEW, rate_limit_args=FLOOD_RETRIES,
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return True
            log.info("could not edit a telegram message, sending a new one: %s", exc.message)
            return False
        return True

    @staticmethod
    async def _quietly(awaitable) -> None:
        try:
            await awaitable
        except TelegramError as exc:  # an old query cannot be answered any more; the command still runs
            log.info("callback query not answered: %s", exc.message)
