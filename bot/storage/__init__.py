"""Persistence: SQLAlchemy 2 models, engine and session factory, repository functions."""

from bot.storage.db import checkpoint_wal, create_engine, session_factory, unit_of_work

__all__ = ["checkpoint_wal", "create_engine", "session_factory", "unit_of_work"]
