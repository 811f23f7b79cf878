"""Catalogues for the unit tests: the real one in data/ and a tiny fixture one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogue import DEFAULT_DATA_DIR, Catalogue, load_catalogue

VALID_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue" / "valid"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The real catalogue, exactly as the bot loads it at start-up."""
    return load_catalogue(DEFAULT_DATA_DIR)


@pytest.fixture(scope="session")
def valid_fixture_dir() -> Path:
    """A tiny made-up data directory; copy it before changing anything in it."""
    return VALID_FIXTURE


@pytest.fixture(scope="session")
def tiny_catalogue(valid_fixture_dir: Path) -> Catalogue:
    """A few made-up poses whose cautions exercise every safety rule."""
    return load_catalogue(valid_fixture_dir)
