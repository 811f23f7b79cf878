"""Guards and fallbacks: private chats only, unknown commands, stale buttons, errors."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.chat import texts
from bot.chat.context import Context

log = logging.getLogger(__name__)


async def private_only(update: Update, context: Context) -> None:
    """Answer anything outside a private chat with a note, and handle it no further."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    if update.callback_query is not None:
        await update.callback_query.answer(texts.GROUP_ONLY_PRIVATE, show_alert=True)
    elif update.effective_message is not None and update.effective_message.text:
        text = update.effective_message.text
        addressed = text.startswith("/") or f"@{context.bot.username}" in text
        if addressed:
            await update.effective_message.reply_html(texts.GROUP_ONLY_PRIVATE)
    raise ApplicationHandlerStop


async def unknown_command(update: Update, context: Context) -> None:
    """Say which command was not understood and where the list is."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].split("@")[0]
    await message.reply_html(texts.unknown_command(command))


async def stale_button(update: Update, context: Context) -> None:
    """Any button no other handler claimed: old, or forged."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STALE_BUTTON)


async def error_handler(update: object, context: Context) -> None:
    """Log what users cannot cause, with context, and apologise; the bot keeps running."""
    user_id = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    log.error("Error handling update (user %s)", user_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ERROR)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR)
    except Exception:  # the apology itself failed; the log above already has the cause
        log.warning("Could not send the apology to user %s", user_id)
