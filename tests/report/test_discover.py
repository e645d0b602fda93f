"""Scenario discovery: PRIM recovers a planted box; the report subcommand writes its tables
and figures; bad conditions are one line; the Latin-hypercube design is one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.report.cli import main
from sim.report.discover import Condition, parse_condition, prim
from sim.report.sensitivity import Problem, sample

NAMES = ["a", "b", "c", "d", "e"]


def planted(n: int = 2000, seed: int = 0, noise: float = 0.02) -> tuple[pd.DataFrame, np.ndarray]:
    """Uniform inputs; the cases of interest are the box a > 0.6 and c < 0.3, with a few
    labels flipped at random."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, (n, len(NAMES))), columns=NAMES)
    y = (x["a"] > 0.6) & (x["c"] < 0.3)
    flip = rng.uniform(0, 1, n) < noise
    return x, np.asarray(y ^ flip, dtype=bool)


def test_prim_recovers_a_planted_box() -> None:
    x, y = planted()
    cond = Condition("outcome", ">", 0.0, "planted")
    result = prim(x, y, cond, min_coverage=0.8)
    box = result.box.set_index("dimension")
    assert set(box.index) == {"a", "c"}
    assert box.loc["a", "min"] == pytest.approx(0.6, abs=0.04)
    assert box.loc["a", "max"] == pytest.approx(box.loc["a", "range_max"])
    assert box.loc["c", "max"] == pytest.approx(0.3, abs=0.04)
    assert box.loc["c", "min"] == pytest.approx(box.loc["c", "range_min"])
    stats = result.stats
    assert stats["coverage"] >= 0.8 and stats["density"] >= 0.85
    assert box.loc["a", "qp_low"] < 1e-6 and box.loc["c", "qp_high"] < 1e-6
    t = result.trajectory
    assert t["coverage"].iloc[0] == 1.0 and t["mass"].iloc[0] == 1.0


def test_the_chosen_box_is_the_densest_with_enough_coverage() -> None:
    x, y = planted(noise=0.1)
    result = prim(x, y, Condition("o", ">", 0, "planted"), min_coverage=0.6)
    t = result.trajectory
    ok = t[t["coverage"] >= 0.6]
    assert result.chosen == int(ok.sort_values(["density", "coverage"]).iloc[-1]["box"])
    forced = prim(x, y, Condition("o", ">", 0, "planted"), box=0)
    assert forced.chosen == 0 and forced.box.empty  # box 0 is the whole space


def sweep_folder(root: Path) -> Path:
    """A sweep folder whose runs.parquet holds the planted table (a: a lever, c: an
    assumption), as aggregate writes it."""
    x, y = planted(n=1200, seed=1)
    runs = pd.DataFrame(
        {
            "run": [f"sample={i}" for i in range(len(x))],
            "status": "completed",
            "variant": "chengdu_2014",
            "scenario": "chengdu_2014",
            "seed": 0,
            "world.communities": 5,
            **{f"p.{c}": x[c] for c in NAMES},
            "petitions": np.where(y, 500.0, 100.0) + np.arange(len(x)) % 7,
        }
    )
    meta = {
        b"jiceng": json.dumps(
            {
                "outcomes": ["petitions"],
                "parameters": ["world.communities"] + [f"p.{c}" for c in NAMES],
            }
        ).encode()
    }
    table = pa.Table.from_pandas(runs, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    root.mkdir(parents=True)
    pq.write_table(table, root / "runs.parquet")
    return root


def test_discover_writes_trajectory_box_and_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = sweep_folder(tmp_path / "sweep")
    assert main(["discover", str(sweep), "--where", "petitions > 300"]) == 0
    out = sweep / "discovery" / "petitions_gt_300"
    for stem in ("trajectory", "box", "stats"):
        for ext in ("csv", "md", "tex"):
            assert (out / f"{stem}.{ext}").is_file()
    for fig in ("trajectory", "box"):
        for ext in ("pdf", "svg", "png"):
            assert (out / f"{fig}.{ext}").stat().st_size > 1000
    box = pd.read_csv(out / "box.csv").set_index("dimension")
    assert set(box.index) == {"p.a", "p.c"}  # world.communities is constant: not an input
    stats = pd.read_csv(out / "stats.csv").iloc[0]
    assert stats["coverage"] >= 0.5 and stats["density"] >= 0.85
    printed = capsys.readouterr().out
    assert "petitions > 300" in printed and "p.a" in printed


def test_a_quantile_threshold_is_the_outcome_quantile_over_the_runs(tmp_path: Path) -> None:
    runs = pd.DataFrame({"petitions": np.arange(101, dtype=float)})
    cond = parse_condition("> q90", "petitions", runs)
    assert cond.threshold == pytest.approx(90.0) and "(= 90)" in cond.text
    assert cond.holds(runs["petitions"]).sum() == 10
    assert parse_condition("petitions <= 12.5", None, runs).threshold == 12.5


def test_bad_discovery_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = sweep_folder(tmp_path / "sweep")
    cases = {
        "bad --where 'petitions >> 3'": ["--where", "petitions >> 3"],
        "no outcome 'petition' in runs.parquet (did you mean petitions?)": [
            "--where",
            "petition > 3",
        ],
        "no run satisfies petitions > 1e9": ["--where", "petitions > 1e9"],
        "every run satisfies petitions >= 0": ["--where", "petitions >= 0"],
        "name the outcome": ["--where", "> 3"],
        "--outcome litigation but --where names petitions": [
            "--outcome",
            "litigation",
            "--where",
            "petitions > 3",
        ],
        "--box 999: the trajectory has boxes": ["--where", "petitions > 300", "--box", "999"],
    }
    for expected, args in cases.items():
        assert main(["discover", str(sweep), *args]) == 2, expected
        err = capsys.readouterr().err.strip()
        assert err.startswith("jiceng-report: error:") and "\n" not in err
        assert expected in err, (expected, err)
    assert not (sweep / "discovery").exists()


def test_the_latin_design_puts_one_point_in_every_stratum_of_every_range() -> None:
    problem = Problem.from_dict({"x": [0.0, 10.0], "y": [-1.0, 1.0]})
    design = sample(problem, "latin", 20, seed=3)
    assert len(design) == 20 and list(design["sample_id"]) == list(range(20))
    for name, (lo, hi) in zip(problem.names, problem.bounds, strict=True):
        strata = np.floor((design[name] - lo) / (hi - lo) * 20).astype(int)
        assert sorted(strata) == list(range(20))
    assert design.equals(sample(problem, "latin", 20, seed=3))
    assert not design.equals(sample(problem, "latin", 20, seed=4))
