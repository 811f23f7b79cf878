"""Inline keyboards. Every button's data is built with ``callbacks.pack``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat import callbacks as cb

COMMON_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
INTERVALS = (30, 45, 60, 90)
LENGTHS = (2, 5, 10)
PAUSES = (("1 hour", "1h"), ("2 hours", "2h"), ("Today", "today"), ("3 days", "3d"))


def button(text: str, kind: str, *parts: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.pack(kind, *parts))


def rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def markup(*keyboard_rows: Iterable[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in keyboard_rows])


def safety() -> InlineKeyboardMarkup:
    return markup([button("I understand", cb.SAFETY, "ok")])


def time_zones() -> InlineKeyboardMarkup:
    zones = [
        button(zone.split("/")[-1].replace("_", " "), cb.CONFIG, "tz", zone)
        for zone in COMMON_ZONES
    ]
    return InlineKeyboardMarkup([*rows(zones, 3), [button("Skip (UTC)", cb.CONFIG, "tz", "skip")]])


def hours() -> InlineKeyboardMarkup:
    return markup([button("Mon–Fri 09:00–17:30", cb.CONFIG, "hours", "default")])


def intervals() -> InlineKeyboardMarkup:
    return markup(
        [button(f"{m} min", cb.CONFIG, "interval", m) for m in INTERVALS],
        [button("Skip (60 min)", cb.CONFIG, "interval", "skip")],
    )


def places() -> InlineKeyboardMarkup:
    return markup(
        [
            button("At a desk", cb.CONFIG, "place", "desk"),
            button("Near a floor", cb.CONFIG, "place", "floor"),
        ],
        [button("Skip (desk)", cb.CONFIG, "place", "skip")],
    )


def lengths() -> InlineKeyboardMarkup:
    return markup(
        [button(f"{m} min", cb.CONFIG, "length", m) for m in LENGTHS],
        [button("Skip (5 min)", cb.CONFIG, "length", "skip")],
    )


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def settings(
    *, auto_advance: bool, pain_check: bool, weekly_summary: bool
) -> InlineKeyboardMarkup:
    return markup(
        [button("Time zone", cb.SETTINGS, "tz"), button("Working hours", cb.SETTINGS, "hours")],
        [button("How often", cb.SETTINGS, "interval"), button("Place", cb.SETTINGS, "place")],
        [
            button("Break length", cb.SETTINGS, "length"),
            button(f"Auto-advance: {_on_off(auto_advance)}", cb.SETTINGS, "auto"),
        ],
        [
            button(f"Pain check: {_on_off(pain_check)}", cb.SETTINGS, "pain"),
            button(f"Weekly summary: {_on_off(weekly_summary)}", cb.SETTINGS, "weekly"),
        ],
    )


def routine_step(run_id: int, step: int) -> InlineKeyboardMarkup:
    return markup(
        [
            button("Next ▶", cb.RUN, run_id, step, "next"),
            button("Skip", cb.RUN, run_id, step, "skip"),
        ],
        [
            button("Stop", cb.RUN, run_id, step, "stop"),
            button("It hurts", cb.RUN, run_id, step, "hurt"),
        ],
    )


def pain_scale(kind: str, run_id: int) -> InlineKeyboardMarkup:
    """0–10 as buttons, and Skip: the answer to a pain question about one run."""
    scores = [button(str(score), kind, run_id, score) for score in range(11)]
    return InlineKeyboardMarkup([scores[:6], scores[6:], [button("Skip", kind, run_id, "skip")]])


def which_pose_hurt(run_id: int, choices: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    buttons = [button(name, cb.HURT, run_id, index) for index, name in choices]
    return InlineKeyboardMarkup([*rows(buttons, 1), [button("Not sure", cb.HURT, run_id, "none")]])


def suggested_cautions(tags: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        rows([button(label, cb.CAUTION_ADD, tag) for tag, label in tags], 2)
    )


def caution_list(
    cautions: Sequence[tuple[str, str]], painful: Sequence[tuple[str, str]]
) -> InlineKeyboardMarkup | None:
    buttons = [button(f"Remove {label}", cb.CAUTION_REMOVE, tag) for tag, label in cautions]
    buttons += [button(f"Allow {name} again", cb.ALLOW_POSE, pose_id) for pose_id, name in painful]
    return InlineKeyboardMarkup(rows(buttons, 1)) if buttons else None


def pose_choices(poses: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        rows([button(name, cb.POSE, pose_id) for pose_id, name in poses], 2)
    )


def browse_menu() -> InlineKeyboardMarkup:
    return markup(
        [
            button("At the desk", cb.BROWSE, "place", "desk"),
            button("On the floor", cb.BROWSE, "place", "floor"),
            button("At a wall", cb.BROWSE, "place", "wall"),
        ],
        [
            button("Stretches", cb.BROWSE, "kind", "stretch"),
            button("Strength", cb.BROWSE, "kind", "strength"),
            button("Rest", cb.BROWSE, "kind", "rest"),
        ],
        [
            button("Flows", cb.BROWSE, "kind", "mobility_flow"),
            button("Self-massage", cb.BROWSE, "kind", "self_massage"),
        ],
    )


def pauses() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows([button(text, cb.PAUSE, value) for text, value in PAUSES], 2))


def forget() -> InlineKeyboardMarkup:
    return markup(
        [button("Yes, delete everything", cb.FORGET, "yes"), button("Cancel", cb.FORGET, "no")]
    )


def settings_schedule() -> InlineKeyboardMarkup:
    return markup(
        [
            button("Working hours", cb.SETTINGS, "hours"),
            button("How often", cb.SETTINGS, "interval"),
        ],
        [button("Pause", cb.PAUSE, "menu")],
    )
