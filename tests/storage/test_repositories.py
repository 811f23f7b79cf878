"""What a person tells the bot is stored and read back the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import repo, unit_of_work
from bot.storage.models import Activity, Caution, Person, RoutineRun, Schedule

Sessions = async_sessionmaker[AsyncSession]


async def test_a_new_person_gets_a_default_schedule_and_is_found_again(sessions: Sessions) -> None:
    async with unit_of_work(sessions) as session:
        person, created = await repo.get_or_create_person(session, 10_000_000_001, 77, "de")
        assert created
    async with unit_of_work(sessions) as session:
        again, created = await repo.get_or_create_person(session, 10_000_000_001, 77)
        assert not created
        assert again.id == person.id
        assert again.language == "de"
        schedule = await repo.schedule_for(session, again.id)
        assert schedule.working_days == 0b0011111
        assert (schedule.day_start, schedule.day_end) == (time(9, 0), time(17, 30))
        assert schedule.interval_minutes == 60
        assert schedule.place == "desk"


async def test_times_come_back_as_the_same_instant_in_utc(sessions: Sessions) -> None:
    berlin = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    async with unit_of_work(sessions) as session:
        person, _ = await repo.get_or_create_person(session, 1, 1)
        schedule = await repo.schedule_for(session, person.id)
        schedule.next_nudge_at = berlin
    async with unit_of_work(sessions) as session:
        stored = await session.get(Schedule, person.id)
        assert stored is not None
        assert stored.next_nudge_at == berlin
        assert stored.next_nudge_at is not None and stored.next_nudge_at.tzinfo is not None
        assert stored.next_nudge_at.utcoffset() == timedelta(0)


async def test_cautions_are_added_once_removed_and_cleared(sessions: Sessions) -> None:
    async with unit_of_work(sessions) as session:
        person, _ = await repo.get_or_create_person(session, 2, 2)
        assert await repo.add_cautions(session, person.id, ["knee", "pregnancy", "knee"]) == [
            "knee",
            "pregnancy",
        ]
    async with unit_of_work(sessions) as session:
        assert await repo.add_cautions(session, person.id, ["knee", "wrists"]) == ["wrists"]
        assert sorted(await repo.caution_tags(session, person.id)) == [
            "knee",
            "pregnancy",
            "wrists",
        ]
        assert await repo.remove_cautions(session, person.id, ["knee"]) == 1
    async with unit_of_work(sessions) as session:
        assert sorted(await repo.caution_tags(session, person.id)) == ["pregnancy", "wrists"]
        await repo.clear_cautions(session, person.id)
    async with unit_of_work(sessions) as session:
        assert await repo.caution_tags(session, person.id) == []


async def test_a_failed_update_leaves_nothing_half_written(sessions: Sessions) -> None:
    async with unit_of_work(sessions) as session:
        person, _ = await repo.get_or_create_person(session, 3, 3)
    with pytest.raises(RuntimeError):
        async with unit_of_work(sessions) as session:
            await repo.add_cautions(session, person.id, ["knee"])
            raise RuntimeError("the handler failed after writing")
    async with unit_of_work(sessions) as session:
        assert await repo.caution_tags(session, person.id) == []


async def test_a_routine_run_keeps_its_plan_and_place(sessions: Sessions) -> None:
    plan = {"steps": [{"pose_id": "cat_cow", "side": None}, {"pose_id": "child_pose"}]}
    async with unit_of_work(sessions) as session:
        person, _ = await repo.get_or_create_person(session, 4, 4)
        first = await repo.start_run(session, person.id, plan)
        second = await repo.start_run(session, person.id, plan, origin="nudge")
    async with unit_of_work(sessions) as session:
        stale = await repo.run_for_update(session, first.id)
        assert stale is not None and stale.state == "stopped"
        run = await repo.run_for_update(session, second.id)
        assert run is not None
        assert run.plan == plan
        assert run.origin == "nudge"
        run.current_step = 1
    async with unit_of_work(sessions) as session:
        active = await repo.active_runs(session, person.id)
        assert [r.id for r in active] == [second.id]
        assert active[0].current_step == 1
        recent = await repo.recent_pose_ids(session, person.id, datetime.now(UTC) - timedelta(1))
        assert recent == ["cat_cow", "child_pose"]


async def test_painful_poses_are_left_out_until_allowed(sessions: Sessions) -> None:
    async with unit_of_work(sessions) as session:
        person, _ = await repo.get_or_create_person(session, 5, 5)
        assert await repo.mark_painful(session, person.id, "sphinx")
        assert not await repo.mark_painful(session, person.id, "sphinx")
    async with unit_of_work(sessions) as session:
        assert await repo.painful_pose_ids(session, person.id) == ["sphinx"]
        assert await repo.allow_pose(session, person.id, "sphinx")
    async with unit_of_work(sessions) as session:
        assert await repo.painful_pose_ids(session, person.id) == []


async def test_activity_is_read_back_by_time_window(sessions: Sessions) -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    async with unit_of_work(sessions) as session:
        person, _ = await repo.get_or_create_person(session, 6, 6)
        await repo.log_activity(session, person.id, "nudge_sent", at=now - timedelta(hours=2))
        await repo.log_activity(session, person.id, "routine_done", at=now, minutes=4.5)
        await repo.log_activity(session, person.id, "pain_reported", at=now, pose_id="sphinx")
    async with unit_of_work(sessions) as session:
        window = await repo.activity_between(
            session, person.id, now - timedelta(hours=1), now + timedelta(hours=1)
        )
        assert [(a.kind, a.minutes, a.pose_id) for a in window] == [
            ("routine_done", 4.5, None),
            ("pain_reported", None, "sphinx"),
        ]


async def test_an_unknown_activity_kind_is_refused_by_the_database(sessions: Sessions) -> None:
    with pytest.raises(IntegrityError):
        async with unit_of_work(sessions) as session:
            person, _ = await repo.get_or_create_person(session, 7, 7)
            await repo.log_activity(session, person.id, "nudge_teleported")


async def test_forgetting_a_person_removes_every_row_about_them(sessions: Sessions) -> None:
    async with unit_of_work(sessions) as session:
        person, _ = await repo.get_or_create_person(session, 8, 8)
        other, _ = await repo.get_or_create_person(session, 9, 9)
        for someone in (person, other):
            await repo.add_cautions(session, someone.id, ["knee"])
            await repo.mark_painful(session, someone.id, "sphinx")
            run = await repo.start_run(session, someone.id, {"steps": []})
            await repo.log_activity(session, someone.id, "routine_done", run_id=run.id)
    async with unit_of_work(sessions) as session:
        await repo.delete_person(session, person.id)
    async with unit_of_work(sessions) as session:
        for model in (Caution, Schedule, RoutineRun, Activity):
            owner = model.person_id  # type: ignore[attr-defined]
            rows = await session.scalar(select(func.count()).where(owner == person.id))
            kept = await session.scalar(select(func.count()).where(owner == other.id))
            assert (model.__tablename__, rows, kept) == (model.__tablename__, 0, 1)
        assert await session.get(Person, person.id) is None
