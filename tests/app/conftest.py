"""Small worlds for the dashboard's tests: two communities, a short burn-in."""

from __future__ import annotations

import pytest

from sim.dashboard.state import Settings

TINY = (("burn_in", 4), ("steps", 12), ("world.communities", 2))


@pytest.fixture
def tiny() -> Settings:
    return Settings(overrides=TINY)
