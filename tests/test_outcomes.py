"""The outcome registry declares exactly what a run writes: every key of summary.json and
every column of timeseries.parquet, and nothing a run does not write."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from sim.io import write_run
from sim.outcomes import OUTCOMES, outcome, scalars, weekly
from sim.run import run


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A smoke-scale run folder (the `smoke` experiment's size)."""
    out = tmp_path_factory.mktemp("run")
    result = run(scenario="chengdu_2014", seed=0, **{"world.communities": 2, "steps": 20})
    return write_run(result, out)


def test_every_summary_key_is_declared_and_every_scalar_is_written(folder: Path) -> None:
    summary = json.loads((folder / "summary.json").read_text())
    assert sorted(set(summary) - set(scalars())) == []  # written but not declared
    assert sorted(set(scalars()) - set(summary)) == []  # declared but not written


def test_every_timeseries_column_is_declared_and_every_weekly_outcome_is_written(
    folder: Path,
) -> None:
    columns = set(pd.read_parquet(folder / "timeseries.parquet").columns)
    assert sorted(columns - set(weekly())) == []
    assert sorted(set(weekly()) - columns) == []


def test_each_declaration_has_a_label_a_unit_a_direction_and_a_range() -> None:
    for name, o in OUTCOMES.items():
        assert o.name == name and o.label and o.unit, name
        assert o.better in (-1, 0, 1) and o.kind in ("scalar", "series"), name
        assert o.low < o.high, name
        assert o.axis_label == f"{o.label} ({o.unit})"


def test_shares_lie_in_zero_one_and_counts_are_not_negative() -> None:
    assert outcome("resolution_rate").natural_range == (0.0, 1.0)
    assert outcome("petitions").natural_range == (0.0, math.inf)
    assert outcome("mean_time_to_resolution").unit == "weeks"
    assert outcome("petitions").better == -1 and outcome("resolution_rate").better == 1


def test_an_undeclared_name_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="'no_such' is not an outcome declared in sim.outcomes"):
        outcome("no_such")
