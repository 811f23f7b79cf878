"""Everything Limber says, in Telegram HTML. User-supplied text is escaped here."""

from __future__ import annotations

from html import escape

SAFETY_NOTE = (
    "<b>Before we start</b>\n"
    "Limber offers general movement guidance for healthy adults. It is not medical advice "
    "and does not replace a doctor or physiotherapist.\n"
    "• Move gently and stay within what feels comfortable.\n"
    "• Stop at once if anything hurts, and tell me with the <i>It hurts</i> button.\n"
    "• If you have an injury, a medical condition or are pregnant, check with a professional "
    "before you start, and tell me your cautions with /caution.\n"
    "• Numbness, weakness in the legs, loss of bladder or bowel control, fever, or pain after "
    "a fall need a doctor, not stretching."
)

WELCOME = (
    "<b>Hi, I'm Limber.</b> During your working hours I'll nudge you to get up for a short "
    "stretch break, and walk you through it pose by pose, leaving out anything your cautions "
    "rule out."
)

WELCOME_BACK = "<b>Welcome back.</b> Everything you told me is still here."

ACCEPT_FIRST = "Please read the safety note and tap <b>I understand</b> first."
SAFETY_ACCEPTED = "Thanks. A few quick questions so the breaks fit your day (each can be skipped)."

# Setup questions: (title, explanation). Setup numbers the titles; /settings does not.
QUESTIONS = {
    "tz": (
        "Your time zone",
        "Tap one, or type a city or a zone name such as <code>Europe/Berlin</code>.",
    ),
    "hours": (
        "Working days and hours",
        "Keep Mon–Fri 09:00–17:30, or type your own, e.g. <code>Mon-Thu 08:00-16:30</code>.",
    ),
    "interval": ("How often should I nudge you?", ""),
    "place": (
        "Where are you usually?",
        "<i>Desk</i>: standing or seated poses only. <i>Floor</i>: you have room for a mat.",
    ),
    "length": ("How long should a break be?", ""),
}


def question(field: str, number: int | None = None, total: int = 5) -> str:
    title, body = QUESTIONS[field]
    heading = f"<b>{number}/{total} · {title}</b>" if number is not None else f"<b>{title}</b>"
    return f"{heading}\n{body}" if body else heading


SETUP_DONE = (
    "<b>All set.</b> Type /routine for a break now. /caution tells me about knees, wrists, "
    "pregnancy and more, and /settings changes any of this later."
)

HELP = (
    "<b>What I can do</b>\n"
    "/routine [minutes] [desk|floor] [stretch|strength|balanced|wind-down] — a break now, "
    "e.g. <code>/routine 10 floor stretch</code>\n"
    "/caution knee — tell me what to be careful with; /caution alone lists yours\n"
    "/pose child's pose — show one pose; /poses browses them all\n"
    "/schedule — today's nudges; <code>/schedule Mon-Fri 08:30-17:00</code>, "
    "<code>/schedule every 45 min</code>, <code>/schedule lunch 12:00-13:00</code>\n"
    "/pause 2h, /pause today, /pause until Monday — no nudges for a while; /resume\n"
    "/stats — today's breaks, your streak, this week's minutes and a chart\n"
    "/settings — time zone, hours, how often, place, length, auto-advance, pain check, "
    "weekly summary\n"
    "/about — where the poses come from; /privacy — what I store; /export — all of it as "
    "files; /forget — delete it all"
)

PRIVACY = (
    "<b>What I store and why</b>\n"
    "• Your Telegram user and chat id, so I can reply and nudge you.\n"
    "• Your time zone, working hours, break interval, usual place and routine length, so "
    "nudges come at the right times.\n"
    "• Your cautions and the poses you said hurt, so they never reach you.\n"
    "• Your routines and answers to nudges (time, minutes), for your progress.\n"
    "• If you switch on the pain check, the 0–10 scores you give before and after a break.\n"
    "I don't store what you type beyond these answers. /export sends you all of it as files; "
    "/forget deletes all of it."
)

FORGET_CONFIRM = (
    "This deletes everything I know about you: settings, cautions, routines and history. "
    "It can't be undone."
)
FORGOTTEN = "Done — everything about you is deleted. Send /start if you ever want to come back."
FORGET_CANCELLED = "Nothing was deleted."

GROUP_ONLY_PRIVATE = (
    "I work in private chats only, so your cautions stay private. Open a chat with me and "
    "send /start."
)
STALE_BUTTON = "That button is from an older message and doesn't do anything now."
NOT_YOURS = "That belongs to someone else's routine."
UNKNOWN_COMMAND = "I don't know {command}. /help lists what I can do."
NOT_UNDERSTOOD = (
    "I didn't catch that. /routine starts a break, /settings changes your setup, /help lists "
    "everything."
)
ERROR = "Sorry, something went wrong on my side. Please try again in a moment."
START_FIRST = "Send /start first, so I can set you up."

# Routines

ROUTINE_STOPPED = "Stopped. {summary}"
HURT_ADVICE = (
    "<b>Stop and rest.</b> Ease out of the pose slowly and lie or sit comfortably. "
    "If the pain persists, gets worse or spreads (for example down a leg), please see a "
    "doctor or physiotherapist.\n\nWhich pose hurt? I'll leave it out from now on."
)
HURT_NOTED = "I'll leave out <b>{pose}</b> from now on. /caution lists it if you want it back."
HURT_UNSURE = "Okay. Rest for now; tell me with /caution if something keeps hurting."

# Pain check

PAIN_BEFORE = (
    "<b>Before we start:</b> how is your back right now?\n"
    "0 = no pain, 10 = the worst you can imagine."
)
PAIN_AFTER = "<b>And after the break?</b> How is your back now, 0–10?"
PAIN_SKIPPED = "skipped"
GENTLER = (
    "<b>Your back felt worse after your last two breaks.</b> Let's go easier for a while: "
    "shorter, gentler routines such as <code>/routine 2 desk wind-down</code>, moving only "
    "as far as is comfortable. If it keeps happening, or the pain lasts, please see a doctor "
    "or physiotherapist."
)


def pain_answered(question: str, score: int | None) -> str:
    """The pain question once answered: the question, then the answer in place of buttons."""
    answer = PAIN_SKIPPED if score is None else f"<b>{score}</b>/10"
    return f"{question}\n→ {answer}"


def pain_compared(before: int | None, after: int) -> str:
    if before is None or before == after:
        return f"Noted: {after}/10."
    change = "lower" if after < before else "higher"
    return f"Noted: {after}/10, {abs(before - after)} {change} than before the break."


# Cautions

NO_CAUTIONS = (
    "You have no cautions. Tell me with /caution, e.g. <code>/caution knee</code> or "
    "<code>/caution pregnancy, wrists</code>."
)
CAUTION_USAGE = (
    "Try <code>/caution knee</code>, <code>/caution remove knee</code> or "
    "<code>/caution clear</code>."
)
CAUTIONS_CLEARED = "All cautions removed."
BACK_PAIN_IS_THE_POINT = (
    "Everyday lower back pain is what every Limber routine is for, so there's nothing to rule "
    "out for it. Tell me about specific things instead: a back injury, a slipped disc, "
    "sciatica, knees, wrists, pregnancy… If pain came after a fall, spreads down a leg with "
    "numbness, or comes with fever, please see a doctor first."
)

# Pauses

RESUMED = "Nudges are back on."
PAUSE_ASK = "How long should I pause nudges?"


# Progress

STATS_NOTHING_YET = "No breaks yet: /routine starts one now."
CHART_CAPTION = "Breaks (green) against nudges, and minutes, over the last 14 days."
WEEKLY_CAPTION = "Your week: breaks against nudges, and minutes, per day."
EXPORT_JSON_CAPTION = "Everything I store about you, as JSON."
EXPORT_CSV_CAPTION = "Your activity log, one line per event, as CSV."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def minutes_amount(minutes: float) -> str:
    whole = round(minutes)
    return _plural(whole, "minute") if whole or not minutes else "under a minute"


def streak_line(current: int, best: int) -> str:
    if best == 0:
        return "Streak: none yet — a break on a working day starts one."
    return (
        f"Streak: <b>{_plural(current, 'working day')}</b> in a row "
        f"(best {_plural(best, 'day')}). Days off don't count against it."
    )


def pain_line(
    recent: list[tuple[int, int]],
    average_relief: float | None,
    earlier: float | None,
    later: float | None,
) -> str:
    checks = ", ".join(f"{before}→{after}" for before, after in recent)
    lines = [f"Back pain (0–10), before→after your last breaks: {checks}"]
    if average_relief is not None and average_relief > 0:
        lines.append(f"On average {average_relief:g} lower after a break.")
    elif average_relief is not None and average_relief < 0:
        lines.append(f"On average {-average_relief:g} higher after a break.")
    else:
        lines.append("On average about the same after a break.")
    if earlier is not None and later is not None and earlier != later:
        way = "down" if later < earlier else "up"
        lines.append(f"Before breaks it went {way} from {earlier:.1f} to {later:.1f}.")
    return "\n".join(lines)


def stats(
    today_breaks: int,
    today_nudges: int,
    current: int,
    best: int,
    week_minutes: float,
    pain: str | None,
) -> str:
    lines = [
        "<b>Your progress</b>",
        f"Today: <b>{_plural(today_breaks, 'break')}</b> taken, "
        f"{_plural(today_nudges, 'nudge')} sent.",
        streak_line(current, best),
        f"This week: {minutes_amount(week_minutes)} of stretching.",
    ]
    if pain:
        lines.append(pain)
    return "\n".join(lines)


def weekly_summary(
    breaks: int, nudges: int, days_with_breaks: int, minutes: float, current: int
) -> str:
    return (
        "<b>Your week with Limber</b>\n"
        f"{_plural(breaks, 'break')} ({_plural(nudges, 'nudge')} sent), on "
        f"{_plural(days_with_breaks, 'day')}, {minutes_amount(minutes)} of stretching.\n"
        + (
            f"Current streak: {_plural(current, 'working day')}. "
            if current
            else "A new streak starts with your next break. "
        )
        + "Have a good rest — /stats shows more any time."
    )


def escaped(text: str) -> str:
    return escape(text, quote=False)


def unknown_command(command: str) -> str:
    return UNKNOWN_COMMAND.format(command=escaped(command))
