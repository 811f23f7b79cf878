"""The database schema: typed SQLAlchemy 2 models.

Alembic migrations (alembic/versions) are the only way this schema reaches a database; a test
checks that autogenerate finds nothing between these models and the migrations.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Time,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.storage.types import UTCDateTime

# Named constraints make migrations reproducible and downgrades possible on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Monday..Friday as a bit mask (Monday is bit 0), the default working week.
WEEKDAYS_MASK = 0b0011111


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Person(Base):
    """Someone who has talked to the bot in a private chat."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str | None] = mapped_column(String(16))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    safety_accepted_at: Mapped[datetime | None]
    # Set when Telegram says the person blocked the bot; cleared when they /start again.
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where onboarding stands ("time_zone", "hours", ...); None once it is finished.
    setup_step: Mapped[str | None] = mapped_column(String(32))
    auto_advance: Mapped[bool] = mapped_column(Boolean, default=False)
    pain_check: Mapped[bool] = mapped_column(Boolean, default=False)
    weekly_summary: Mapped[bool] = mapped_column(Boolean, default=False)

    cautions: Mapped[list[Caution]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    schedule: Mapped[Schedule | None] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class Caution(Base):
    """A caution tag from the catalogue's vocabulary that a person told us about."""

    __tablename__ = "cautions"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="cautions")


class Schedule(Base):
    """When and how a person wants to be nudged."""

    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint("interval_minutes BETWEEN 15 AND 240", name="interval_range"),
        CheckConstraint("routine_minutes BETWEEN 2 AND 30", name="routine_range"),
        CheckConstraint("working_days BETWEEN 0 AND 127", name="working_days_mask"),
        CheckConstraint("place IN ('desk', 'floor')", name="place_known"),
        # Most people never ask for a weekly summary. Partial, so that moving a nudge on
        # (which writes every index of the row on PostgreSQL) adds no entry for them.
        Index(
            "ix_schedules_next_summary_at",
            "next_summary_at",
            postgresql_where=text("next_summary_at IS NOT NULL"),
            sqlite_where=text("next_summary_at IS NOT NULL"),
        ),
    )

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    working_days: Mapped[int] = mapped_column(SmallInteger, default=WEEKDAYS_MASK)
    day_start: Mapped[time] = mapped_column(Time, default=time(9, 0))
    day_end: Mapped[time] = mapped_column(Time, default=time(17, 30))
    lunch_start: Mapped[time | None] = mapped_column(Time)
    lunch_end: Mapped[time | None] = mapped_column(Time)
    interval_minutes: Mapped[int] = mapped_column(SmallInteger, default=60)
    place: Mapped[str] = mapped_column(String(8), default="desk")
    routine_minutes: Mapped[int] = mapped_column(SmallInteger, default=5)
    paused_until: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    # The one fact the dispatcher scans: indexed, UTC, None when no nudge is due (paused,
    # blocked, nudges off).
    next_nudge_at: Mapped[datetime | None] = mapped_column(index=True)
    # The nudge after next_nudge_at, worked out ahead by the schedule rules so that claiming
    # a due nudge is one statement with no rules in it (bot/nudges). None: not worked out
    # (yet); the dispatcher then works both out when it claims the row.
    following_nudge_at: Mapped[datetime | None]
    # When this person's weekly summary is due (UTC); None unless they asked for one.
    # Claimed like next_nudge_at, so it goes out once whatever restarts or workers do.
    next_summary_at: Mapped[datetime | None]
    # The last nudge sent, so an unanswered one can be recorded as ignored.
    last_nudge_at: Mapped[datetime | None]
    last_nudge_answered: Mapped[bool] = mapped_column(Boolean, default=True)

    person: Mapped[Person] = relationship(back_populates="schedule")


class RoutineRun(Base):
    """A routine being played, or played before: the plan and where the person is in it."""

    __tablename__ = "routine_runs"
    __table_args__ = (
        CheckConstraint("state IN ('active', 'done', 'stopped', 'hurt')", name="state_known"),
        Index("ix_routine_runs_person_state", "person_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # The routine as built (steps, estimate, left out): JSON, so a restart can carry on.
    plan: Mapped[dict[str, Any]]
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(12), default="active")
    # What started it: "command" or "nudge".
    origin: Mapped[str] = mapped_column(String(12), default="command")
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    step_started_at: Mapped[datetime | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class PainfulPose(Base):
    """A pose the person said hurt; routines leave it out until they allow it again."""

    __tablename__ = "painful_poses"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    pose_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


# Kinds of activity-log entries; the log is what progress and export are built from.
ACTIVITY_KINDS = (
    "routine_done",
    "routine_stopped",
    "nudge_sent",
    "nudge_started",
    "nudge_snoozed",
    "nudge_skipped",
    "nudge_ignored",
    "nudge_done_own",
    "pain_reported",
    "pain_before",
    "pain_after",
)


class Activity(Base):
    """One thing that happened: a routine done or stopped, a nudge and its answer, pain."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_person_at", "person_id", "at"),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{kind}'" for kind in ACTIVITY_KINDS) + ")",
            name="kind_known",
        ),
        CheckConstraint("score BETWEEN 0 AND 10", name="score_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    minutes: Mapped[float | None]
    pose_id: Mapped[str | None] = mapped_column(String(64))
    # A 0-10 pain score, for pain_before / pain_after.
    score: Mapped[int | None] = mapped_column(SmallInteger)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("routine_runs.id", ondelete="SET NULL"))
