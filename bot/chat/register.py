"""The one place handlers are registered, in order."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.chat import callbacks as cb
from bot.chat.handlers import (
    account,
    cautions,
    common,
    nudges,
    pain,
    poses,
    progress,
    routine,
    setup,
)

COMMANDS = (
    ("routine", "A stretch break now: /routine [minutes] [desk|floor] [focus]"),
    ("caution", "What to be careful with: /caution knee"),
    ("pose", "Show one pose: /pose child's pose"),
    ("poses", "Browse every pose"),
    ("schedule", "Today's nudges; change days and hours"),
    ("pause", "No nudges for a while: /pause 2h"),
    ("resume", "Nudges back on"),
    ("stats", "Breaks today, your streak, this week, a chart"),
    ("settings", "Time zone, hours, how often, place, length, pain check, weekly summary"),
    ("help", "What I can do"),
    ("about", "Where the poses come from"),
    ("privacy", "What I store"),
    ("export", "Everything stored about me, as files"),
    ("forget", "Delete everything about me"),
    ("start", "Start or set up again"),
)


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in COMMANDS]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Group -1 runs first and stops anything from a group chat: cautions are private.
    application.add_handler(TypeHandler(object, common.private_only), group=-1)

    command_handlers = {
        "start": setup.start,
        "settings": setup.settings_command,
        "routine": routine.routine_command,
        "caution": cautions.caution_command,
        "cautions": cautions.caution_command,
        "pose": poses.pose_command,
        "poses": poses.poses_command,
        "pause": account.pause_command,
        "resume": account.resume_command,
        "help": account.help_command,
        "about": account.about_command,
        "privacy": account.privacy_command,
        "forget": account.forget_command,
        "schedule": nudges.schedule_command,
        "stats": progress.stats_command,
        "export": progress.export_command,
    }
    for name, callback in command_handlers.items():
        application.add_handler(CommandHandler(name, callback))

    button_handlers = {
        cb.SAFETY: setup.accept_safety,
        cb.CONFIG: setup.config_button,
        cb.SETTINGS: setup.settings_button,
        cb.RUN: routine.run_button,
        cb.HURT: routine.hurt_button,
        cb.CAUTION_ADD: cautions.caution_add_button,
        cb.CAUTION_REMOVE: cautions.caution_remove_button,
        cb.ALLOW_POSE: cautions.allow_pose_button,
        cb.POSE: poses.pose_button,
        cb.BROWSE: poses.browse_button,
        cb.PAUSE: account.pause_button,
        cb.FORGET: account.forget_button,
        cb.NUDGE: nudges.nudge_button,
        cb.PAIN_BEFORE: pain.pain_before_button,
        cb.PAIN_AFTER: pain.pain_after_button,
    }
    for kind, callback in button_handlers.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=cb.pattern(kind)))

    # Fallbacks last: any other command, any other button, any other text.
    application.add_handler(MessageHandler(filters.COMMAND, common.unknown_command))
    application.add_handler(CallbackQueryHandler(common.stale_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, setup.typed_answer))
    application.add_error_handler(common.error_handler)
