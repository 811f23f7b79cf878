"""Repository functions: small queries over one session. They flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.storage.models import (
    Activity,
    Base,
    Caution,
    PainfulPose,
    Person,
    RoutineRun,
    Schedule,
    utcnow,
)


async def person_by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Person | None:
    result = await session.execute(
        select(Person).where(Person.telegram_user_id == telegram_user_id)
    )
    return result.scalar_one_or_none()


async def get_or_create_person(
    session: AsyncSession, telegram_user_id: int, chat_id: int, language: str | None = None
) -> tuple[Person, bool]:
    """The person with this Telegram id, created (with a default schedule) if new."""
    person = await person_by_telegram_id(session, telegram_user_id)
    if person is not None:
        if person.chat_id != chat_id:
            person.chat_id = chat_id
        return person, False
    person = Person(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        language=language,
        setup_step="safety",
    )
    session.add(person)
    await session.flush()
    session.add(Schedule(person_id=person.id))
    await session.flush()
    return person, True


async def delete_person(session: AsyncSession, person_id: int) -> None:
    """Everything about a person goes, through ON DELETE CASCADE."""
    await session.execute(delete(Person).where(Person.id == person_id))


# Cautions


async def caution_tags(session: AsyncSession, person_id: int) -> list[str]:
    result = await session.execute(
        select(Caution.tag).where(Caution.person_id == person_id).order_by(Caution.added_at)
    )
    return list(result.scalars())


async def add_cautions(session: AsyncSession, person_id: int, tags: Iterable[str]) -> list[str]:
    """Add tags the person does not have yet; returns the ones that were new."""
    have = set(await caution_tags(session, person_id))
    added = []
    for tag in tags:
        if tag not in have:
            session.add(Caution(person_id=person_id, tag=tag))
            have.add(tag)
            added.append(tag)
    await session.flush()
    return added


async def remove_cautions(session: AsyncSession, person_id: int, tags: Iterable[str]) -> int:
    result = await session.execute(
        delete(Caution).where(Caution.person_id == person_id, Caution.tag.in_(list(tags)))
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def clear_cautions(session: AsyncSession, person_id: int) -> None:
    await session.execute(delete(Caution).where(Caution.person_id == person_id))


# Schedule


async def schedule_for(session: AsyncSession, person_id: int) -> Schedule:
    """The person's schedule, created with defaults if they have none."""
    schedule = await session.get(Schedule, person_id)
    if schedule is None:
        schedule = Schedule(person_id=person_id)
        session.add(schedule)
        await session.flush()
    return schedule


# Painful poses


async def painful_pose_ids(session: AsyncSession, person_id: int) -> list[str]:
    result = await session.execute(
        select(PainfulPose.pose_id)
        .where(PainfulPose.person_id == person_id)
        .order_by(PainfulPose.reported_at)
    )
    return list(result.scalars())


async def mark_painful(session: AsyncSession, person_id: int, pose_id: str) -> bool:
    """Leave a pose out from now on; False if it already was."""
    if await session.get(PainfulPose, (person_id, pose_id)) is not None:
        return False
    session.add(PainfulPose(person_id=person_id, pose_id=pose_id))
    await session.flush()
    return True


async def allow_pose(session: AsyncSession, person_id: int, pose_id: str) -> bool:
    result = await session.execute(
        delete(PainfulPose).where(
            PainfulPose.person_id == person_id, PainfulPose.pose_id == pose_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


# Routine runs


async def start_run(
    session: AsyncSession,
    person_id: int,
    plan: dict[str, Any],
    origin: str = "command",
    *,
    now: datetime | None = None,
) -> RoutineRun:
    """A new active run; any run the person left active is stopped first."""
    now = now or utcnow()
    for run in await active_runs(session, person_id):
        run.state = "stopped"
        run.finished_at = now
    run = RoutineRun(
        person_id=person_id, plan=plan, origin=origin, step_started_at=now, started_at=now
    )
    session.add(run)
    await session.flush()
    return run


async def active_runs(session: AsyncSession, person_id: int) -> Sequence[RoutineRun]:
    result = await session.execute(
        select(RoutineRun).where(RoutineRun.person_id == person_id, RoutineRun.state == "active")
    )
    return result.scalars().all()


async def run_for_update(session: AsyncSession, run_id: int) -> RoutineRun | None:
    """A run, locked for this transaction where the database can lock rows."""
    result = await session.execute(
        select(RoutineRun).where(RoutineRun.id == run_id).with_for_update()
    )
    return result.scalar_one_or_none()


async def recent_pose_ids(session: AsyncSession, person_id: int, since: datetime) -> list[str]:
    """Poses from runs started since a moment, most recent run first."""
    result = await session.execute(
        select(RoutineRun.plan)
        .where(RoutineRun.person_id == person_id, RoutineRun.started_at >= since)
        .order_by(RoutineRun.started_at.desc())
    )
    seen: dict[str, None] = {}
    for plan in result.scalars():
        for step in plan.get("steps", []):
            pose_id = step.get("pose_id")
            if isinstance(pose_id, str):
                seen.setdefault(pose_id, None)
    return list(seen)


# Activity log


async def log_activity(
    session: AsyncSession,
    person_id: int,
    kind: str,
    *,
    at: datetime | None = None,
    minutes: float | None = None,
    pose_id: str | None = None,
    score: int | None = None,
    run_id: int | None = None,
) -> Activity:
    entry = Activity(
        person_id=person_id,
        kind=kind,
        at=at or utcnow(),
        minutes=minutes,
        pose_id=pose_id,
        score=score,
        run_id=run_id,
    )
    session.add(entry)
    await session.flush()
    return entry


async def activity_between(
    session: AsyncSession, person_id: int, start: datetime, end: datetime
) -> Sequence[Activity]:
    result = await session.execute(
        select(Activity)
        .where(Activity.person_id == person_id, Activity.at >= start, Activity.at < end)
        .order_by(Activity.at, Activity.id)
    )
    return result.scalars().all()


async def move_run(
    session: AsyncSession,
    run_id: int,
    person_id: int,
    from_step: int,
    *,
    to_step: int,
    state: str = "active",
    plan: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> bool:
    """Move a run on from ``from_step``, only if it is still there and still active.

    One conditional UPDATE, so two presses of the same button (or two workers handling them)
    cannot both move the run: the second finds nothing to update and gets False.
    """
    now = now or utcnow()
    values: dict[str, Any] = {"current_step": to_step, "state": state, "step_started_at": now}
    if state != "active":
        values["finished_at"] = now
    if plan is not None:
        values["plan"] = plan
    result = await session.execute(
        update(RoutineRun)
        .where(
            RoutineRun.id == run_id,
            RoutineRun.person_id == person_id,
            RoutineRun.current_step == from_step,
            RoutineRun.state == "active",
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def activity_of(
    session: AsyncSession,
    person_id: int,
    *,
    kinds: Iterable[str] | None = None,
    since: datetime | None = None,
) -> Sequence[Activity]:
    """A person's activity log in time order, optionally only some kinds or since a moment."""
    query = select(Activity).where(Activity.person_id == person_id)
    if kinds is not None:
        query = query.where(Activity.kind.in_(list(kinds)))
    if since is not None:
        query = query.where(Activity.at >= since)
    result = await session.execute(query.order_by(Activity.at, Activity.id))
    return result.scalars().all()


async def recent_pain_scores(
    session: AsyncSession, person_id: int, limit: int = 40
) -> list[Activity]:
    """The newest pain_before / pain_after entries, oldest first."""
    result = await session.execute(
        select(Activity)
        .where(
            Activity.person_id == person_id,
            Activity.kind.in_(["pain_before", "pain_after"]),
        )
        .order_by(Activity.at.desc(), Activity.id.desc())
        .limit(limit)
    )
    return list(reversed(result.scalars().all()))


# Weekly summaries


async def due_weekly_summaries(
    session: AsyncSession, now: datetime, limit: int
) -> Sequence[tuple[Person, Schedule]]:
    """Schedules whose weekly summary is due, locked where the database can skip locked rows."""
    query = (
        select(Person, Schedule)
        .join(Schedule, Schedule.person_id == Person.id)
        .where(Schedule.next_summary_at <= now)
        .order_by(Schedule.next_summary_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Schedule)
    return [(person, schedule) for person, schedule in (await session.execute(query)).tuples()]


async def move_summary(
    session: AsyncSession, person_id: int, due: datetime, following: datetime | None
) -> bool:
    """Move a weekly summary on to ``following`` if it is still at ``due``: the claim."""
    result = await session.execute(
        update(Schedule)
        .where(Schedule.person_id == person_id, Schedule.next_summary_at == due)
        .values(next_summary_at=following)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


# Export


@dataclass(frozen=True)
class PersonRecords:
    """Every row stored about one person, as column-name → value dictionaries."""

    person: dict[str, Any]
    schedule: dict[str, Any] | None
    cautions: list[dict[str, Any]]
    painful_poses: list[dict[str, Any]]
    routine_runs: list[dict[str, Any]]
    activity: list[dict[str, Any]]


def row_values(row: Base) -> dict[str, Any]:
    """A row's stored columns by name: every column, so a new one is exported too."""
    return {column.key: getattr(row, column.key) for column in inspect(type(row)).column_attrs}


async def person_records(session: AsyncSession, person_id: int) -> PersonRecords | None:
    """Everything stored about a person (for /export), each table filtered by their id."""
    person = await session.get(Person, person_id)
    if person is None:
        return None

    async def rows(owner: InstrumentedAttribute[int], *order: Any) -> list[dict[str, Any]]:
        result = await session.execute(
            select(owner.class_).where(owner == person_id).order_by(*order)
        )
        return [row_values(row) for row in result.scalars()]

    schedule = await session.get(Schedule, person_id)
    return PersonRecords(
        person=row_values(person),
        schedule=row_values(schedule) if schedule is not None else None,
        cautions=await rows(Caution.person_id, Caution.added_at, Caution.tag),
        painful_poses=await rows(
            PainfulPose.person_id, PainfulPose.reported_at, PainfulPose.pose_id
        ),
        routine_runs=await rows(RoutineRun.person_id, RoutineRun.started_at, RoutineRun.id),
        activity=await rows(Activity.person_id, Activity.at, Activity.id),
    )
