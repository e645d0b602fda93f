"""Robustness over the assumptions: the screening experiment covers every behavioural
assumption, sign shares are counted per design point, and effect indices name the driver."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from sim import assumptions
from sim.calibrate.spec import field_type, schema_params
from sim.config import SimConfig
from sim.params import iter_params
from sim.report.cli import main
from sim.report.robustness import Conclusion, conclusions, effects, robustness_table, wilson
from sim.report.sensitivity import Problem, sample

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_screening_is_up_to_date_with_the_schema() -> None:
    assert assumptions.main(["screening", "--check"]) == 0


@pytest.mark.parametrize(
    ("name", "method", "ablations"),
    [("assumption_screening", "morris", False), ("assumption_robustness", "latin", True)],
)
def test_screening_and_robustness_vary_every_real_behavioural_assumption_within_the_schema(
    name: str, method: str, ablations: bool
) -> None:
    data = yaml.safe_load((ROOT / "experiments" / f"{name}.yaml").read_text())
    design = data["hydra"]["sweeper"]["sensitivity"]
    sampled = design["parameters"]
    behaviour = [
        n
        for n, _, m in iter_params(SimConfig())
        if m is not None and m.role == "behaviour" and field_type(n) is float
    ]
    fixed = assumptions._set_by_scenarios(assumptions.scenarios())  # what a scenario sets
    assert set(sampled) == set(behaviour) - fixed
    assert "policy.social_orgs.founding_rate" in fixed  # no_social_orgs sets it to 0
    metas = schema_params()
    for key, (lo, hi) in sampled.items():
        meta = metas[key]
        assert meta is not None and lo < hi, key
        assert meta.low is None or lo >= meta.low, key
        assert meta.high is None or hi <= meta.high, key
    scenarios = data["hydra"]["sweeper"]["params"]["scenario"].split(",")
    assert scenarios[:2] == ["chengdu_2014", "baseline_2008"]
    expected = set(assumptions.ablations()) if ablations else set()
    assert {s for s in scenarios if s.startswith("no_")} == expected
    assert design["method"] == method


def test_a_plausible_range_is_the_default_plus_minus_half_inside_the_schema() -> None:
    assert assumptions.plausible_range(2.0, 0, 20) == (1.0, 3.0)
    assert assumptions.plausible_range(-6.2, -20, 5) == pytest.approx((-9.3, -3.1))
    assert assumptions.plausible_range(0.9, 0, 1) == pytest.approx((0.45, 1.0))
    assert assumptions.plausible_range(0.0, 0, 5) == (0.0, 0.5)


def synthetic_runs(points: int = 40, seeds: int = 2) -> pd.DataFrame:
    """Three scenarios on the same design points; the reform lowers petitions exactly where
    sample_id < 0.7 * points, and removing the grid always lowers resolution."""
    rows = []
    rng = np.random.default_rng(0)
    for i in range(points):
        for seed in range(seeds):
            base = 100 + rng.normal(0, 1)
            reform_gain = -5.0 if i < 0.7 * points else 5.0
            for scenario, petitions, resolution in (
                ("baseline_2008", base, 0.8),
                ("chengdu_2014", base + reform_gain, 0.9),
                ("no_grid", base + reform_gain + 1, 0.85),
            ):
                rows.append(
                    {
                        "status": "completed",
                        "scenario": scenario,
                        "sample_id": i,
                        "seed": seed,
                        "petitions": petitions,
                        "resolution_rate": resolution,
                        "participation_rate": 0.5,
                    }
                )
    return pd.DataFrame(rows)


def test_conclusions_are_the_reform_and_every_ablation_present() -> None:
    got = {c.claim for c in conclusions(["chengdu_2014", "baseline_2008", "no_grid"])}
    assert "reform beats baseline on petitions" in got and "grid helps on resolution_rate" in got
    assert len(got) == 6
    assert conclusions(["baseline_2008", "no_grid"]) == []


def test_an_effect_is_the_paired_difference_averaged_over_seeds_per_design_point() -> None:
    runs = synthetic_runs(points=10)
    e = effects(runs, Conclusion("x", "chengdu_2014", "baseline_2008", "petitions", -1))
    assert len(e) == 10 and e.iloc[0] == pytest.approx(-5.0) and e.iloc[-1] == pytest.approx(5.0)


def test_the_share_where_a_conclusion_holds_is_counted_over_design_points() -> None:
    table = robustness_table(synthetic_runs()).set_index("conclusion")
    row = table.loc["reform beats baseline on petitions"]
    assert row["points"] == 40 and row["share_holds"] == pytest.approx(0.7)
    assert row["share_ci_low"] < 0.7 < row["share_ci_high"]
    assert table.loc["reform beats baseline on resolution_rate", "share_holds"] == 1.0
    assert table.loc["grid helps on petitions", "share_holds"] == 1.0  # 1 fewer petition
    assert table.loc["reform beats baseline on participation_rate", "share_holds"] == 0.0


def test_wilson_interval_matches_the_textbook_value() -> None:
    lo, hi = wilson(7, 10)  # Wilson (1927) score interval for 7/10
    assert lo == pytest.approx(0.3968, abs=1e-4) and hi == pytest.approx(0.8922, abs=1e-4)


def write_sweep(root: Path, runs: pd.DataFrame, spec: dict[str, object] | None) -> Path:
    root.mkdir(parents=True)
    outcomes = ["petitions", "resolution_rate", "participation_rate"]
    table = pa.Table.from_pandas(runs.assign(run=[f"r{i}" for i in range(len(runs))]))
    meta = {b"jiceng": json.dumps({"outcomes": outcomes, "parameters": []}).encode()}
    pq.write_table(table.replace_schema_metadata(meta), root / "runs.parquet")
    if spec is not None:
        (root / "sensitivity").mkdir()
        (root / "sensitivity" / "spec.json").write_text(json.dumps(spec))
    return root


def test_morris_indices_of_the_reform_effect_name_the_assumption_that_drives_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = {"method": "morris", "n": 8, "seed": 0, "parameters": {"x": [0, 1], "z": [0, 1]}}
    design = sample(Problem.from_dict(spec["parameters"]), "morris", 8, 0)  # type: ignore[arg-type]
    rows = []
    for r in design.itertuples():
        for scenario, petitions in (("baseline_2008", 100.0), ("chengdu_2014", 100 - 10 * r.x)):
            rows.append(
                {
                    "status": "completed",
                    "scenario": scenario,
                    "sample_id": r.sample_id,
                    "seed": 0,
                    "petitions": petitions,
                    "resolution_rate": 0.8 + 0.1 * r.z * (scenario == "chengdu_2014"),
                    "participation_rate": 0.5 + 0.01 * r.sample_id,
                }
            )
    sweep = write_sweep(tmp_path / "sweep", pd.DataFrame(rows), spec)
    assert main(["robustness", str(sweep)]) == 0
    idx = pd.read_csv(sweep / "robustness" / "indices.csv")
    effect = idx[idx["target"] == "chengdu_2014 - baseline_2008: petitions"].set_index("parameter")
    assert effect.loc["x", "mu_star"] == pytest.approx(10.0)
    assert effect.loc["z", "mu_star"] == pytest.approx(0.0, abs=1e-9)
    table = pd.read_csv(sweep / "robustness" / "robustness.csv").set_index("conclusion")
    share = (design["x"] > 0).mean()  # where x = 0 the reform has no effect: not a win
    assert table.loc["reform beats baseline on petitions", "share_holds"] == pytest.approx(share)
    assert "reform beats baseline on petitions" in capsys.readouterr().out


def test_a_sweep_of_one_scenario_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = synthetic_runs(points=3)
    sweep = write_sweep(tmp_path / "one", runs[runs["scenario"] == "chengdu_2014"], None)
    assert main(["robustness", str(sweep)]) == 2
    err = capsys.readouterr().err.strip()
    assert "runs fewer than two scenarios" in err and "\n" not in err


def test_the_sobol_follow_up_takes_the_assumptions_with_the_largest_effect_indices(
    tmp_path: Path,
) -> None:
    names = list(assumptions.assumptions())[:4]
    (tmp_path / "robustness").mkdir()
    rows = [
        {"target": "chengdu_2014 - baseline_2008: petitions", "parameter": p, "mu_star": m}
        for p, m in zip(names, [1.0, 9.0, 0.1, 5.0], strict=True)
    ]
    rows.append({"target": "chengdu_2014: petitions", "parameter": names[2], "mu_star": 99.0})
    pd.DataFrame(rows).to_csv(tmp_path / "robustness" / "indices.csv", index=False)
    text = assumptions.sobol_yaml(tmp_path, top=2, n=16)
    design = yaml.safe_load(text)["hydra"]["sweeper"]["sensitivity"]
    assert list(design["parameters"]) == [names[1], names[3]]  # a level's index is not an effect
    assert design["method"] == "sobol" and design["n"] == 16
    assert "16 x (2 + 2)" not in text and "64 design points x 2 scenarios" in text


def test_a_latin_hypercube_gives_sign_shares_of_every_ablation_and_no_indices(
    tmp_path: Path,
) -> None:
    spec = {"method": "latin", "n": 40, "seed": 0, "parameters": {"x": [0, 1]}}
    sweep = write_sweep(tmp_path / "latin", synthetic_runs(), spec)
    assert main(["robustness", str(sweep)]) == 0
    table = pd.read_csv(sweep / "robustness" / "robustness.csv").set_index("conclusion")
    assert table.loc["grid helps on resolution_rate", "share_holds"] == 1.0
    assert table.loc["reform beats baseline on petitions", "points"] == 40
    assert not (sweep / "robustness" / "indices.csv").exists()


def test_a_seed_reference_adds_the_share_over_seeds_at_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = {"method": "latin", "n": 40, "seed": 0, "parameters": {"x": [0, 1]}}
    sweep = write_sweep(tmp_path / "latin", synthetic_runs(), spec)
    seeds = synthetic_runs(points=1, seeds=10).drop(columns="sample_id")
    seeds.loc[(seeds["scenario"] == "chengdu_2014") & (seeds["seed"] < 3), "petitions"] += 20
    reference = write_sweep(tmp_path / "seeds", seeds, None)
    assert main(["robustness", str(sweep), "--seeds", str(reference)]) == 0
    table = pd.read_csv(sweep / "robustness" / "robustness.csv").set_index("conclusion")
    row = table.loc["reform beats baseline on petitions"]
    assert row["share_holds"] == pytest.approx(0.7) and row["seeds"] == 10
    assert row["seed_share_holds"] == pytest.approx(0.7)  # 3 of 10 seeds reversed
    assert row["seed_ci_low"] < 0.7 < row["seed_ci_high"]
    assert "seed_share_holds" in capsys.readouterr().out
    assert main(["robustness", str(sweep), "--seeds", str(sweep)]) == 2
    err = capsys.readouterr().err.strip()
    assert "is a design over parameters" in err and "\n" not in err


def test_a_seed_reference_of_another_world_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = {"method": "latin", "n": 40, "seed": 0, "parameters": {"x": [0, 1]}}
    design = synthetic_runs().assign(**{"world.communities": 5, "steps": 260})
    design["world.floating_share"] = design["sample_id"] / 40  # varied: not compared
    sweep = write_sweep(tmp_path / "latin", design, spec)
    seeds = synthetic_runs(points=1, seeds=4).drop(columns="sample_id")
    seeds = seeds.assign(**{"world.communities": 2, "steps": 260, "world.floating_share": 0.3})
    reference = write_sweep(tmp_path / "seeds", seeds, None)
    assert main(["robustness", str(sweep), "--seeds", str(reference)]) == 2
    err = capsys.readouterr().err.strip()
    assert "world.communities=5 (the reference: 2)" in err and "\n" not in err
    assert "floating_share" not in err and "steps" not in err
    assert not (sweep / "robustness").exists()  # refused before anything is written


@pytest.mark.parametrize("stored_order", [True, False])
def test_indices_name_the_parameter_that_was_sampled_whatever_the_key_order(
    tmp_path: Path, stored_order: bool
) -> None:
    """spec.json sorts its keys; the design was sampled in the declared order ("z" first)."""
    from sim.files import write_json

    declared = {"z": [0.0, 1.0], "a": [0.0, 10.0]}
    design = sample(Problem.from_dict(declared), "morris", 8, 0)
    rows = []
    for r in design.itertuples():
        for scenario, petitions in (("baseline_2008", 100.0), ("chengdu_2014", 100 - 10 * r.z)):
            rows.append({"status": "completed", "scenario": scenario, "sample_id": r.sample_id,
                         "seed": 0, "z": r.z, "a": r.a, "petitions": petitions,
                         "resolution_rate": 0.8, "participation_rate": 0.5})  # fmt: skip
    spec = {"method": "morris", "n": 8, "seed": 0, "parameters": declared}
    if stored_order:
        spec["order"] = ["z", "a"]
    sweep = write_sweep(tmp_path / "sweep", pd.DataFrame(rows), None)
    write_json(sweep / "sensitivity" / "spec.json", spec)  # sorted keys: "a" before "z"
    assert main(["robustness", str(sweep)]) == 0
    idx = pd.read_csv(sweep / "robustness" / "indices.csv")
    effect = idx[idx["target"] == "chengdu_2014 - baseline_2008: petitions"].set_index("parameter")
    assert effect.loc["z", "mu_star"] == pytest.approx(10.0)
    assert effect.loc["a", "mu_star"] == pytest.approx(0.0, abs=1e-9)


def test_a_sweep_stores_the_sampling_order_of_its_parameters(tmp_path: Path) -> None:
    from sim.sweep import save_sensitivity_spec

    save_sensitivity_spec(tmp_path, {"method": "sobol", "parameters": {"z": [0, 1], "a": [0, 2]}})
    spec = json.loads((tmp_path / "sensitivity" / "spec.json").read_text())
    assert list(spec["parameters"]) == ["a", "z"] and spec["order"] == ["z", "a"]
