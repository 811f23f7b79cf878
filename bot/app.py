"""The composition root: settings, catalogue, database, handlers and jobs meet only here."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from telegram import Bot, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    ExtBot,
    JobQueue,
)

from bot.catalogue import Catalogue, get_catalogue
from bot.chat.context import Context, Services
from bot.chat.handlers.nudges import render_nudge
from bot.chat.register import bot_commands, register
from bot.chat.weekly import WeeklySummaries
from bot.config import Settings
from bot.nudges.dispatcher import Dispatcher
from bot.storage import checkpoint_wal, create_engine, session_factory
from bot.storage.claims import nudge_store
from bot.storage.db import sqlite_file
from bot.telegram_http import AiohttpRequest

log = logging.getLogger("limber.updates")

LimberApplication = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]
]


def describe_update(update: object) -> str:
    """What an update was, without its contents: "/routine", "button run", "text"."""
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return f"button {data.split(':', 1)[0]}"
    message = update.effective_message
    if message is not None and message.text:
        if message.text.startswith("/"):
            return message.text.split()[0].split("@")[0][:32]
        return "text"
    if message is not None:
        return "message"
    return "update"


class TimedApplication(Application):  # type: ignore[type-arg]
    """Logs one line per update (who, what, how long), sets the command menu when it starts
    and closes the database when it shuts down, however it is run (polling, webhook, tests,
    the console)."""

    async def initialize(self) -> None:
        await super().initialize()
        await self.bot.set_my_commands(bot_commands())

    async def shutdown(self) -> None:
        await super().shutdown()
        services: Services = self.bot_data["services"]
        await services.nudges.close()
        await services.engine.dispose()

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            user = update.effective_user if isinstance(update, Update) else None
            log.info(
                "update user=%s %s %.0f ms",
                user.id if user else "-",
                describe_update(update),
                (time.perf_counter() - started) * 1000,
            )


def _api_urls(settings: Settings) -> tuple[str | None, str | None]:
    base = settings.telegram_api_base_url
    return (f"{base}/bot", f"{base}/file/bot") if base else (None, None)


async def check_token(settings: Settings, token: str) -> str:
    """The bot's username, or InvalidToken if Telegram (or the Bot API server) rejects it."""
    api, files = _api_urls(settings)
    bot = Bot(
        token,
        base_url=api or "https://api.telegram.org/bot",
        base_file_url=files or "https://api.telegram.org/file/bot",
        request=AiohttpRequest(1),
    )
    async with bot:
        return bot.username


def build_application(
    settings: Settings,
    token: str,
    *,
    catalogue: Catalogue | None = None,
    base_url: str | None = None,
    base_file_url: str | None = None,
    services_options: dict[str, Any] | None = None,
) -> LimberApplication:
    """The bot, wired: handlers registered, services in bot_data, commands set at start."""
    engine = create_engine(settings.database_url, sqlite_mmap_mb=settings.sqlite_mmap_mb)
    services = Services(
        settings=settings,
        catalogue=catalogue or get_catalogue(),
        engine=engine,
        sessions=session_factory(engine),
        nudges=nudge_store(engine, sqlite_mmap_mb=settings.sqlite_mmap_mb),
        **(services_options or {}),
    )
    builder = (
        ApplicationBuilder()
        .application_class(TimedApplication)
        .token(token)
        .context_types(ContextTypes(context=Context))
        .request(AiohttpRequest())
        # Long polling holds its one connection for up to the poll timeout.
        .get_updates_request(AiohttpRequest(1))
    )
    api = base_url or (
        f"{settings.telegram_api_base_url}/bot" if settings.telegram_api_base_url else None
    )
    files = base_file_url or (
        f"{settings.telegram_api_base_url}/file/bot" if settings.telegram_api_base_url else None
    )
    if api is not None:
        builder = builder.base_url(api)
    if files is not None:
        builder = builder.base_file_url(files)
    if settings.rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=2))  # type: ignore[arg-type]
    application: LimberApplication = builder.build()  # type: ignore[assignment]
    application.bot_data["services"] = services
    register(application)
    return application


def dispatcher_for(application: LimberApplication) -> Dispatcher:
    services: Services = application.bot_data["services"]
    return Dispatcher(
        services.nudges,
        application.bot,
        render_nudge,
        clock=services.clock,
        batch_size=services.settings.nudge_batch_size,
        fresh=timedelta(minutes=services.settings.nudge_fresh_minutes),
    )


def schedule_nudges(application: LimberApplication) -> None:
    """One repeating job claims and sends due nudges; it never runs twice at once."""
    application.bot_data["dispatcher"] = dispatcher_for(application)
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    queue.run_repeating(
        _nudge_tick,
        interval=application.bot_data["services"].settings.nudge_tick_seconds,
        first=1.0,
        name="nudges",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


# Weekly summaries go out within this long after they are due.
WEEKLY_TICK = timedelta(minutes=5)


def weekly_summaries_for(application: LimberApplication) -> WeeklySummaries:
    services: Services = application.bot_data["services"]
    return WeeklySummaries(services.sessions, application.bot, clock=services.clock)


def schedule_weekly_summaries(application: LimberApplication) -> None:
    """One repeating job sends the weekly summaries that are due."""
    application.bot_data["weekly"] = weekly_summaries_for(application)
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    queue.run_repeating(
        _weekly_tick,
        interval=WEEKLY_TICK.total_seconds(),
        first=5.0,
        name="weekly-summaries",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def _weekly_tick(context: Context) -> None:
    weekly: WeeklySummaries = context.bot_data["weekly"]
    sent = await weekly.tick()
    if sent:
        logging.getLogger("limber.weekly").info("weekly summaries sent=%d", len(sent))


async def _nudge_tick(context: Context) -> None:
    dispatcher: Dispatcher = context.bot_data["dispatcher"]
    result = await dispatcher.tick()
    if result.claimed or result.skipped_stale:
        logging.getLogger("limber.nudges").info(
            "nudges sent=%d failed=%d blocked=%d skipped_stale=%d ignored=%d",
            result.sent,
            result.failed,
            result.blocked,
            result.skipped_stale,
            result.ignored,
        )


# How often the running bot moves SQLite's WAL into the database file (bot/storage/db.py).
WAL_CHECKPOINT_EVERY = timedelta(seconds=1)


def schedule_wal_checkpoints(application: LimberApplication) -> None:
    """On SQLite, one repeating job checkpoints the WAL in the background, so that commits
    (a nudge claim among them) never stop to do it; nothing to do on PostgreSQL."""
    services: Services = application.bot_data["services"]
    if sqlite_file(services.engine) is None:
        return
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    queue.run_repeating(
        _wal_checkpoint,
        interval=WAL_CHECKPOINT_EVERY.total_seconds(),
        first=WAL_CHECKPOINT_EVERY.total_seconds(),
        name="wal-checkpoints",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def _wal_checkpoint(context: Context) -> None:
    services: Services = context.bot_data["services"]
    try:
        await checkpoint_wal(services.engine)
    except sqlite3.Error as error:
        # The commits' own checkpoints (the backstop) keep the WAL bounded meanwhile.
        logging.getLogger("limber.storage").warning("WAL checkpoint failed: %s", error)


def run_application(application: LimberApplication, settings: Settings, *, webhook: bool) -> None:
    """Serve until interrupted: long polling, or Telegram's webhook when asked."""
    schedule_nudges(application)
    schedule_weekly_summaries(application)
    schedule_wal_checkpoints(application)
    if not webhook:
        logging.getLogger("limber").info("Starting long polling")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    if settings.webhook_url is None or settings.webhook_secret is None:
        raise ValueError("a webhook needs WEBHOOK_URL and WEBHOOK_SECRET")
    path = urlparse(settings.webhook_url).path.lstrip("/")
    logging.getLogger("limber").info(
        "Serving the webhook on %s:%s/%s", settings.webhook_listen, settings.webhook_port, path
    )
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=path,
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
    )
