"""Small helpers every button handler needs: reading a press, and edits that may fail."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import CallbackQuery, Update
from telegram.error import BadRequest

from bot.chat import texts
from bot.chat.callbacks import Callback, unpack

log = logging.getLogger(__name__)


async def pressed(update: Update, parts: int) -> tuple[CallbackQuery, Callback] | None:
    """The press and its data with exactly ``parts`` parts; a malformed (old or forged) press
    is answered with a short notice and gives None."""
    query = update.callback_query
    if query is None:
        return None
    data = unpack(query.data, parts=parts)
    if data is None:
        await query.answer(texts.STALE_BUTTON)
        return None
    return query, data


async def quietly(edit: Awaitable[object], what: str) -> None:
    """Run an edit whose failure does not matter: the person deleted the message, or the
    text did not change."""
    try:
        await edit
    except BadRequest as error:
        log.debug("%s skipped: %s", what, error.message)
