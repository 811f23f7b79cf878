"""Persistence: SQLAlchemy 2 models, engine and session factory, repository functions."""

from bot.storage.db import create_engine, session_factory, unit_of_work

__all__ = ["create_engine", "session_factory", "unit_of_work"]
