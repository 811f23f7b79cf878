"""Progress as a person sees it: /stats with its chart, the pain check and its warning, the
weekly summary, and /export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.app import dispatcher_for, schedule_weekly_summaries, weekly_summaries_for
from bot.chat import chart, texts
from bot.console.fake_bot_api import ChatMessage, FakeBotApi
from bot.storage import repo
from bot.storage.models import Activity, Caution, PainfulPose, RoutineRun
from tests.chat.harness import ALEX, BotHarness

SAM = 1002
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
PNG = b"\x89PNG\r\n\x1a\n"


def at(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


@pytest.fixture
def charts(monkeypatch: pytest.MonkeyPatch) -> list[chart.ChartData]:
    """Every ChartData handed to the renderer, which still renders it."""
    drawn: list[chart.ChartData] = []
    render = chart.render_chart

    def recording(data: chart.ChartData) -> bytes:
        drawn.append(data)
        return render(data)

    monkeypatch.setattr(chart, "render_chart", recording)
    return drawn


async def _person_id(bot: BotHarness, user_id: int = ALEX) -> int:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        person = await repo.person_by_telegram_id(session, user_id)
        assert person is not None
        return person.id


async def _log(bot: BotHarness, kind: str, when: datetime, **values: object) -> None:
    assert bot.app is not None
    person_id = await _person_id(bot)
    async with bot.app.bot_data["services"].unit() as session:
        await repo.log_activity(session, person_id, kind, at=when, **values)  # type: ignore[arg-type]


async def _kinds(bot: BotHarness, *kinds: str) -> list[tuple[str, int | None, int | None]]:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        rows = await session.execute(
            select(Activity).where(Activity.kind.in_(kinds)).order_by(Activity.id)
        )
        return [(a.kind, a.score, a.run_id) for a in rows.scalars()]


async def _minutes(bot: BotHarness) -> list[float]:
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        rows = await session.execute(
            select(Activity.minutes).where(Activity.kind == "routine_done").order_by(Activity.id)
        )
        return [m or 0.0 for m in rows.scalars()]


def _photos(api: FakeBotApi, chat_id: int = ALEX) -> list[ChatMessage]:
    return [m for m in api.messages(chat_id) if m.photo is not None]


async def _finish_routine(bot: BotHarness) -> None:
    """Next on every pose of the routine on screen."""
    first = bot.last_text()
    total = int(first.split("/")[1].split(" ")[0])
    for _ in range(total):
        await bot.press("Next ▶")


# /stats


async def test_stats_before_any_break_say_how_to_start_and_draw_nothing(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.send("/stats")
    assert bot.last_text() == texts.START_FIRST
    await bot.onboard()
    await bot.send("/stats")
    assert "Today: 0 breaks taken, 0 nudges sent" in bot.last_text()
    assert "Streak: none yet" in bot.last_text()
    assert "No breaks yet" in bot.last_text()
    assert _photos(api) == []


async def test_stats_count_todays_breaks_against_the_nudges_sent(
    bot: BotHarness, api: FakeBotApi, charts: list[chart.ChartData]
) -> None:
    await bot.onboard()  # Berlin, Mon–Fri 09:00–17:30, every hour
    assert bot.app is not None
    dispatcher = dispatcher_for(bot.app)
    bot.clock.now = at(BERLIN, 2026, 11, 23, 10, 0)
    await dispatcher.tick()
    await bot.press("Start ▶")
    await _finish_routine(bot)
    bot.clock.now = at(BERLIN, 2026, 11, 23, 11, 0)
    await dispatcher.tick()  # not answered
    bot.clock.now = at(BERLIN, 2026, 11, 23, 12, 0)
    await dispatcher.tick()
    await bot.press("Done on my own")
    bot.clock.now = at(BERLIN, 2026, 11, 23, 12, 30)

    await bot.send("/stats")
    text = bot.texts_since(len(bot.bot_messages()) - 2)[0]
    assert "Today: 2 breaks taken, 3 nudges sent" in text
    assert "Streak: 1 working day in a row (best 1 day)" in text
    (routine,) = await _minutes(bot)
    assert f"This week: {texts.minutes_amount(routine)} of stretching" in text
    photo = _photos(api)[-1]
    assert photo.photo is not None and photo.photo.startswith(PNG)
    assert photo.text == texts.CHART_CAPTION
    (data,) = charts
    assert len(data.breaks) == 14
    assert (data.breaks[-1], data.nudges[-1]) == (2, 3)
    assert data.breaks[:-1] == (0,) * 13
    assert data.labels[-1] == "Mo\n23"


async def test_stats_chart_and_streak_follow_local_days_across_a_weekend(
    bot: BotHarness, charts: list[chart.ChartData]
) -> None:
    await bot.onboard()  # Berlin, Mon–Fri
    log = [
        ("routine_done", at(BERLIN, 2026, 11, 11, 10, 0), 4.0),  # before the fortnight
        ("routine_done", at(BERLIN, 2026, 11, 12, 10, 0), 5.0),
        ("routine_done", at(BERLIN, 2026, 11, 20, 23, 30), 3.0),  # Friday night
        ("nudge_done_own", at(BERLIN, 2026, 11, 21, 11, 0), None),  # Saturday: a day off
        ("routine_done", at(BERLIN, 2026, 11, 23, 0, 15), 2.0),  # Monday, still Sunday in UTC
        ("nudge_sent", at(BERLIN, 2026, 11, 24, 10, 0), None),
        ("routine_stopped", at(BERLIN, 2026, 11, 24, 10, 5), 0.0),  # stopped at once
        ("routine_stopped", at(BERLIN, 2026, 11, 24, 15, 0), 2.0),
        ("nudge_sent", at(BERLIN, 2026, 11, 25, 10, 0), None),
    ]
    for kind, when, length in log:
        await _log(bot, kind, when, minutes=length)
    assert at(BERLIN, 2026, 11, 23, 0, 15).date() == date(2026, 11, 22)
    bot.clock.now = at(BERLIN, 2026, 11, 25, 12, 0)  # Wednesday noon, no break yet today

    await bot.send("/stats")
    (data,) = charts
    breaks = dict(zip(range(12, 26), data.breaks, strict=True))
    minutes = dict(zip(range(12, 26), data.minutes, strict=True))
    nudges = dict(zip(range(12, 26), data.nudges, strict=True))
    assert {day: n for day, n in breaks.items() if n} == {12: 1, 20: 1, 21: 1, 23: 1, 24: 1}
    assert {day: m for day, m in minutes.items() if m} == {12: 5.0, 20: 3.0, 23: 2.0, 24: 2.0}
    assert {day: n for day, n in nudges.items() if n} == {24: 1, 25: 1}
    assert data.days_off == tuple(day in {14, 15, 21, 22} for day in range(12, 26))

    text = bot.texts_since(len(bot.bot_messages()) - 2)[0]
    # Friday, Monday, Tuesday; Saturday's break is a day off, and Wednesday is not over.
    assert "Streak: 3 working days in a row (best 3 days)" in text
    assert "Today: 0 breaks taken, 1 nudge sent" in text
    assert "This week: 4 minutes" in text

    bot.clock.now = at(BERLIN, 2026, 11, 26, 9, 0)  # Thursday: Wednesday went by
    await bot.send("/stats")
    assert (
        "Streak: 0 working days in a row (best 3 days)"
        in bot.texts_since(len(bot.bot_messages()) - 2)[0]
    )


async def test_a_routine_left_for_a_new_one_is_logged_as_stopped_with_its_minutes(
    bot: BotHarness,
) -> None:
    await bot.onboard()
    await bot.send("/routine 5 desk")
    await bot.press("Next ▶")
    await bot.send("/routine 2 desk")
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        first = (await session.execute(select(RoutineRun).order_by(RoutineRun.id))).scalar()
        assert first is not None
        stopped = (
            await session.execute(select(Activity).where(Activity.kind == "routine_stopped"))
        ).scalar_one()
    assert first.state == "stopped"
    assert stopped.run_id == first.id
    assert stopped.minutes == round(first.plan["steps"][0]["hold_seconds"] / 60, 2)
    assert stopped.at == bot.clock()


# The pain check


async def _switch_on(bot: BotHarness, label: str) -> None:
    await bot.send("/settings")
    await bot.press(f"{label}: off")
    assert bot.labels().count(f"{label}: on") == 1


async def test_the_pain_check_is_off_until_switched_on(bot: BotHarness) -> None:
    await bot.onboard()
    await bot.send("/settings")
    assert "Pain check before and after a break: off" in bot.last_text()
    assert "Weekly summary: off" in bot.last_text()
    await bot.send("/routine 2 desk")
    assert bot.last_text().startswith("1/")
    await _switch_on(bot, "Pain check")
    assert "Pain check before and after a break: on" in bot.last_text()
    await bot.press("Pain check: on")
    assert "Pain check before and after a break: off" in bot.last_text()


async def test_pain_before_and_after_and_the_suggestion_when_it_got_worse_twice(
    bot: BotHarness,
) -> None:
    await bot.onboard()
    await _switch_on(bot, "Pain check")

    await bot.send("/routine 2 desk")
    assert bot.last_text() == "Before we start: how is your back right now?\n" + (
        "0 = no pain, 10 = the worst you can imagine."
    )
    assert bot.labels() == [str(n) for n in range(11)] + ["Skip"]
    await bot.press("6")
    assert bot.last_text().startswith("1/")  # the first pose follows the answer
    assert any(m.text.endswith("→ 6/10") for m in bot.bot_messages())
    await _finish_routine(bot)
    assert "How is your back now, 0–10?" in bot.last_text()
    await bot.press("7")
    assert bot.last_text() == "Noted: 7/10, 1 higher than before the break."

    await bot.send("/routine 2 desk")
    await bot.press("5")
    await _finish_routine(bot)
    await bot.press("8")
    assert bot.last_text().startswith("Noted: 8/10, 3 higher than before the break.")
    assert "worse after your last two breaks" in bot.last_text()
    assert "/routine 2 desk wind-down" in bot.last_text()
    assert "doctor or physiotherapist" in bot.last_text()

    runs = [r for _, _, r in await _kinds(bot, "pain_before", "pain_after")]
    assert await _kinds(bot, "pain_before", "pain_after") == [
        ("pain_before", 6, runs[0]),
        ("pain_after", 7, runs[0]),
        ("pain_before", 5, runs[2]),
        ("pain_after", 8, runs[2]),
    ]
    assert runs[0] != runs[2]

    # A routine whose first question was skipped says nothing new: no second warning.
    await bot.send("/routine 2 desk")
    await bot.press("Skip")
    await _finish_routine(bot)
    await bot.press("9")
    assert bot.last_text() == "Noted: 9/10."

    # One that helps: no suggestion.
    await bot.send("/routine 2 desk")
    await bot.press("6")
    await _finish_routine(bot)
    await bot.press("3")
    assert bot.last_text() == "Noted: 3/10, 3 lower than before the break."

    await bot.send("/stats")
    stats = bot.texts_since(len(bot.bot_messages()) - 2)[0]
    assert "Back pain (0–10), before→after your last breaks: 6→7, 5→8, 6→3" in stats


async def test_a_pain_question_can_be_skipped(bot: BotHarness) -> None:
    await bot.onboard()
    await _switch_on(bot, "Pain check")
    await bot.send("/routine 2 desk")
    await bot.press("Skip")
    assert bot.last_text().startswith("1/")
    assert any(m.text.endswith("→ skipped") for m in bot.bot_messages())
    await _finish_routine(bot)
    await bot.press("4")
    assert bot.last_text() == "Noted: 4/10."
    assert [k for k, _, _ in await _kinds(bot, "pain_before", "pain_after")] == ["pain_after"]


async def test_only_one_answer_per_run_from_its_owner_at_the_right_moment(
    bot: BotHarness, api: FakeBotApi
) -> None:
    await bot.onboard()
    await bot.onboard(SAM)
    await _switch_on(bot, "Pain check")
    await bot.send("/routine 2 desk")
    question = api.message_with_buttons(ALEX)
    assert question is not None
    assert bot.app is not None
    async with bot.app.bot_data["services"].unit() as session:
        run_id = (await session.execute(select(func.max(RoutineRun.id)))).scalar_one()

    answers = len(bot.answers())
    await bot.press_data(f"paina:{run_id}:3", message_id=question.message_id)  # not yet
    await bot.press_data(f"painb:{run_id}:11", message_id=question.message_id)  # no such score
    await bot.press_data(f"painb:{run_id}:4:5", message_id=question.message_id)  # forged
    sams_message = api.messages(SAM)[-1].message_id
    await bot.press_data(f"painb:{run_id}:3", message_id=sams_message, user_id=SAM, chat_id=SAM)
    assert bot.answers()[answers:] == [
        texts.STALE_BUTTON,
        texts.STALE_BUTTON,
        texts.STALE_BUTTON,
        texts.NOT_YOURS,
    ]
    assert await _kinds(bot, "pain_before", "pain_after") == []

    await bot.press("2")
    poses = len([m for m in bot.bot_messages() if m.text.startswith("1/")])
    await bot.press_data(f"painb:{run_id}:2", message_id=question.message_id)  # again
    await bot.press_data(f"painb:{run_id}:skip", message_id=question.message_id)
    assert bot.answers()[-2:] == [texts.STALE_BUTTON, texts.STALE_BUTTON]
    assert len([m for m in bot.bot_messages() if m.text.startswith("1/")]) == poses
    assert await _kinds(bot, "pain_before", "pain_after") == [("pain_before", 2, run_id)]

    await _finish_routine(bot)
    after = api.message_with_buttons(ALEX)
    assert after is not None
    await bot.press("1")
    await bot.press_data(f"paina:{run_id}:9", message_id=after.message_id)
    assert bot.answers()[-1] == texts.STALE_BUTTON
    assert [s for _, s, _ in await _kinds(bot, "pain_after")] == [1]


# The weekly summary


@pytest.mark.parametrize(
    ("zone_button", "hours", "zone", "due"),
    [
        pytest.param(None, None, BERLIN, (2026, 11, 27, 17, 30), id="Berlin, Friday 17:30"),
        pytest.param(
            "Tokyo", "Mon-Thu 08:00-16:30", TOKYO, (2026, 11, 26, 16, 30), id="Tokyo, Thursday"
        ),
    ],
)
async def test_the_weekly_summary_goes_out_once_at_the_end_of_the_last_working_day(
    bot: BotHarness,
    api: FakeBotApi,
    charts: list[chart.ChartData],
    zone_button: str | None,
    hours: str | None,
    zone: ZoneInfo,
    due: tuple[int, ...],
) -> None:
    await bot.onboard()
    await bot.onboard(SAM)  # Sam never asks for a summary
    if zone_button is not None:
        await bot.send("/settings")
        await bot.press("Time zone")
        await bot.press(zone_button)
    if hours is not None:
        await bot.send(f"/schedule {hours}")
    await _switch_on(bot, "Weekly summary")
    await _log(bot, "routine_done", at(zone, 2026, 11, 25, 11, 0), minutes=5.0)  # Wednesday
    await _log(bot, "nudge_done_own", at(zone, 2026, 11, 25, 15, 0))

    assert bot.app is not None
    weekly = weekly_summaries_for(bot.app)
    sent_at: list[datetime] = []
    bot.clock.now = at(zone, 2026, 11, 23, 0, 0)
    # Ticks a minute apart, then four: every five-minute mark is hit, and windows vary.
    steps = iter([1, 4] * 7 * 24 * 12)
    while bot.clock.now < at(zone, 2026, 11, 30, 0, 0):
        bot.clock.advance(minutes=next(steps))
        if await weekly.tick():
            sent_at.append(bot.clock.now)

    assert sent_at == [at(zone, *due)]
    (summary,) = _photos(api)
    assert _photos(api, SAM) == []
    assert summary.photo is not None and summary.photo.startswith(PNG)
    assert summary.text.startswith("Your week with Limber\n2 breaks (0 nudges sent), on 1 day")
    assert "5 minutes" in summary.text
    (data,) = charts
    # Monday to the last working day, with Wednesday's two breaks.
    weekdays = ["Mo", "Tu", "We", "Th", "Fr"][: len(data.breaks)]
    assert [label.split("\n")[0] for label in data.labels] == weekdays
    assert data.breaks[2] == 2 and sum(data.breaks) == 2

    # Restarted an hour later, the job does not send it again.
    restarted = weekly_summaries_for(bot.app)
    bot.clock.now = at(zone, *due) + timedelta(hours=1)
    for _ in range(24):
        bot.clock.advance(minutes=5)
        assert await restarted.tick() == []
    assert len(_photos(api)) == 1


# /export


async def test_an_export_holds_exactly_the_persons_rows_and_no_one_elses(
    bot: BotHarness, api: FakeBotApi
) -> None:
    for user_id, caution in ((ALEX, "knee"), (SAM, "wrists")):
        await bot.onboard(user_id)
        await bot.send(f"/caution {caution}", user_id)
        await bot.send("/routine 2 desk", user_id)
        await bot.press("It hurts", user_id, chat_id=user_id)
        await bot.press(bot.labels(user_id)[0], user_id, chat_id=user_id)
        await bot.send("/routine 2 desk", user_id)
        await _finish_routine_for(bot, user_id)
    bot.clock.now = at(BERLIN, 2026, 11, 23, 10, 0)
    assert bot.app is not None
    await dispatcher_for(bot.app).tick()
    await bot.press("Skip", SAM, chat_id=SAM)

    await bot.send("/export")
    json_file, csv_file = (m for m in api.messages(ALEX)[-2:])
    assert json_file.document is not None and csv_file.document is not None
    assert json_file.document[0] == "limber-export-2026-11-23.json"
    assert csv_file.document[0] == "limber-export-2026-11-23.csv"
    exported = json.loads(json_file.document[1])
    log = list(csv.DictReader(io.StringIO(csv_file.document[1].decode("utf-8-sig"))))

    alex = await _person_id(bot, ALEX)
    async with bot.app.bot_data["services"].unit() as session:

        async def ids(model: type, key: str = "id") -> list[object]:
            rows = await session.execute(
                select(getattr(model, key)).where(model.person_id == alex)  # type: ignore[attr-defined]
            )
            return sorted(rows.scalars())

        stored = {
            "cautions": await ids(Caution, "tag"),
            "painful_poses": await ids(PainfulPose, "pose_id"),
            "routine_runs": await ids(RoutineRun),
            "activity": await ids(Activity),
        }
        everyone = (await session.execute(select(func.count(Activity.id)))).scalar_one()
    assert exported["person"]["id"] == alex
    assert exported["person"]["telegram_user_id"] == ALEX
    assert exported["person"]["time_zone"] == "Europe/Berlin"
    assert exported["schedule"]["person_id"] == alex
    assert exported["schedule"]["working_days"] == 0b0011111
    keys = {"cautions": "tag", "painful_poses": "pose_id"}
    for table, expected in stored.items():
        rows = exported[table]
        assert all(row["person_id"] == alex for row in rows), table
        assert sorted(row[keys.get(table, "id")] for row in rows) == expected, table
    assert stored["cautions"] == ["knee"]
    assert len(stored["routine_runs"]) == 2 and len(stored["activity"]) >= 4
    assert len(stored["activity"]) < everyone  # Sam has a log too, and it is not here
    assert all(run["plan"]["steps"] for run in exported["routine_runs"])
    assert sorted(int(row["id"]) for row in log) == stored["activity"]
    assert [row["kind"] for row in log] == [row["kind"] for row in exported["activity"]]


async def _finish_routine_for(bot: BotHarness, user_id: int) -> None:
    first = bot.last_text(user_id)
    total = int(first.split("/")[1].split(" ")[0])
    for _ in range(total):
        await bot.press("Next ▶", user_id, chat_id=user_id)


async def test_export_needs_a_person(bot: BotHarness) -> None:
    await bot.send("/export")
    assert bot.last_text() == texts.START_FIRST


async def test_the_weekly_summary_job_runs_next_to_the_nudges(bot: BotHarness) -> None:
    assert bot.app is not None and bot.app.job_queue is not None
    schedule_weekly_summaries(bot.app)
    (job,) = bot.app.job_queue.get_jobs_by_name("weekly-summaries")
    try:
        assert job.job.trigger.interval == timedelta(minutes=5)
    finally:
        job.schedule_removal()


async def test_help_privacy_and_the_menu_point_to_stats_and_export(
    bot: BotHarness, api: FakeBotApi
) -> None:
    commands = [c["command"] for c in api.calls_to("setMyCommands")[0].params["commands"]]
    assert {"stats", "export"} <= set(commands)
    await bot.send("/help")
    assert "/stats" in bot.last_text() and "/export" in bot.last_text()
    await bot.send("/privacy")
    assert "/export" in bot.last_text()


@pytest.mark.parametrize("chat_backend", ["sqlite", "postgres"])
async def test_two_workers_send_a_weekly_summary_once(bot: BotHarness, api: FakeBotApi) -> None:
    await bot.onboard()
    await _switch_on(bot, "Weekly summary")
    assert bot.app is not None
    bot.clock.now = at(BERLIN, 2026, 11, 27, 17, 31)
    first, second = weekly_summaries_for(bot.app), weekly_summaries_for(bot.app)
    sent = await asyncio.gather(first.tick(), second.tick())
    assert sum(len(s) for s in sent) == 1
    assert len(_photos(api)) == 1
