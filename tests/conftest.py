"""Shared fixtures: small, fast worlds."""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

SMALL = {"world.communities": 2, "steps": 30, "burn_in": 0, "output.progress": False}


@pytest.fixture
def small() -> dict[str, object]:
    return dict(SMALL)
