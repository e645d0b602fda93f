"""Calibration by ABC-SMC: the smoke calibration's folder, determinism, resume after an
interruption, bad input, and parameter recovery from targets the model made itself."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import compose
from sim.calibrate import calibrate, spec, targets
from sim.calibrate.cli import main
from sim.calibration import PATTERNS, Target
from sim.params import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SMOKE = "calibrate_smoke"
# a smaller run still: 6 particles, 2 generations, 2 predictive draws (a few seconds)
TINY = ["population=6", "generations=2", "predictive_draws=2", "horizon=26"]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cal") / "smoke"
    assert main([SMOKE, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cal") / "tiny"
    calibrate(SMOKE, out, TINY, echo=None)
    return out


# ------------------------------------------------------------------ the folder


def test_the_smoke_calibration_writes_every_output(smoke: Path) -> None:
    for name in (
        "calibration.json",
        "history.db",
        "posterior.parquet",
        "predictive.parquet",
        "meta.json",
        "scenario/chengdu_2014_calibrated.yaml",
    ):
        assert (smoke / name).is_file(), name
    for stem in ("posterior_summary", "predictive_check", "validation"):
        for ext in ("csv", "md", "tex"):
            assert (smoke / f"{stem}.{ext}").is_file(), f"{stem}.{ext}"
    for fig in ("marginals", "pairs", "predictive"):
        for ext in ("pdf", "svg", "png"):
            assert (smoke / "figures" / f"{fig}.{ext}").stat().st_size > 1000


def test_the_posterior_is_tidy_with_weights_summing_to_one_per_generation(smoke: Path) -> None:
    post = pd.read_parquet(smoke / "posterior.parquet")
    free = ["participation.intercept", "participation.party_effect"]
    assert list(post.columns) == ["generation", "particle", "weight", "distance", *free]
    assert sorted(post["generation"].unique()) == [0, 1, 2]
    assert post.groupby("generation")["weight"].sum().round(9).eq(1.0).all()
    assert post.groupby("generation").size().eq(16).all()
    assert post["participation.intercept"].between(-8.0, -4.5).all()
    # ABC-SMC tightens: the last generation's distances are smaller than the first's
    first, last = (post[post["generation"] == g]["distance"].max() for g in (0, 2))
    assert last < first


def test_the_effective_sample_size_counts_equal_weights_fully_and_one_heavy_weight_as_one() -> None:
    from sim.calibrate.smc import effective_sample_size

    assert effective_sample_size(np.full(40, 0.025)) == pytest.approx(40.0)
    assert effective_sample_size(np.array([1.0, 1e-9, 1e-9])) == pytest.approx(1.0)
    assert effective_sample_size(np.array([0.5, 0.5, 0.0, 0.0])) == pytest.approx(2.0)


def test_meta_records_seed_versions_targets_priors_and_acceptance(smoke: Path) -> None:
    meta = json.loads((smoke / "meta.json").read_text())
    assert meta["status"] == "completed" and meta["seed"] == 0
    assert meta["versions"]["pyabc"].startswith("0.13")
    assert [g["generation"] for g in meta["generations"]] == [0, 1, 2]
    for g in meta["generations"]:
        assert g["acceptance_rate"] == pytest.approx(g["accepted"] / g["evaluations"])
        assert 1.0 <= g["effective_sample_size"] <= g["accepted"] + 1e-9
    assert {t["target"] for t in meta["targets"]} == {
        "participation_rate",
        "participation_party_gap",
        "participation_age_gradient",
    }
    assert meta["priors"]["participation.party_effect"] == {
        "family": "uniform",
        "low": 0.0,
        "high": 2.0,
    }
    assert meta["wall_time_s"] > 0 and len(meta["config_hash"]) == 12


def test_the_summary_table_holds_median_credible_interval_and_prior(smoke: Path) -> None:
    table = pd.read_csv(smoke / "posterior_summary.csv")
    post = pd.read_parquet(smoke / "posterior.parquet")
    last = post[post["generation"] == 2]
    for row in table.itertuples():
        x = last[row.parameter]
        assert x.min() <= row.ci90_low <= row.median <= row.ci90_high <= x.max()
    assert table.set_index("parameter").loc["participation.intercept", "prior_low"] == -8.0
    assert "\\toprule" in (smoke / "posterior_summary.tex").read_text()


def test_the_predictive_check_covers_fitted_and_held_out_targets(smoke: Path) -> None:
    check = pd.read_csv(smoke / "predictive_check.csv")
    assert dict(zip(check["target"], check["role"], strict=True)) == {
        "participation_rate": "fit",
        "participation_party_gap": "fit",
        "participation_age_gradient": "held out",
    }
    draws = pd.read_parquet(smoke / "predictive.parquet")
    assert len(draws) == 12
    for row in check.itertuples():
        assert row.predictive_median == pytest.approx(draws[row.target].median())
        inside = draws[row.target].between(row.low, row.high).mean()
        assert row.share_in_range == pytest.approx(inside)
    held = pd.read_csv(smoke / "validation.csv")
    assert held["target"].tolist() == ["participation_age_gradient"]


def test_the_calibrated_scenario_loads_and_sets_the_posterior_medians(
    smoke: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = smoke / "scenario" / "chengdu_2014_calibrated.yaml"
    text = path.read_text()
    digest = json.loads((smoke / "meta.json").read_text())["config_hash"]
    assert f"config hash {digest}" in text.splitlines()[2]
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for p in compose.scenario_dir().glob("*.yaml"):
        (folder / p.name).symlink_to(p)
    shutil.copy(path, folder / path.name)
    monkeypatch.setattr(compose, "scenario_dir", lambda: folder)
    cfg = compose.load_config("chengdu_2014_calibrated")
    medians = pd.read_csv(smoke / "posterior_summary.csv").set_index("parameter")["median"]
    assert cfg.participation.intercept == pytest.approx(medians["participation.intercept"])
    assert cfg.participation.party_effect == pytest.approx(medians["participation.party_effect"])
    base = compose.load_config("chengdu_2014")
    assert cfg.mediation == base.mediation and cfg.world.communities == base.world.communities


def test_a_finished_folder_is_never_overwritten(
    smoke: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.stat().st_mtime_ns for p in smoke.rglob("*") if p.is_file()}
    assert main([SMOKE, "--out", str(smoke)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("jiceng-calibrate: error:") and "finished calibration" in err
    assert "\n" not in err
    assert before == {p: p.stat().st_mtime_ns for p in smoke.rglob("*") if p.is_file()}


# ------------------------------------------------------------------ reproducibility


def test_the_same_seed_gives_byte_identical_results(tiny: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    calibrate(SMOKE, again, TINY, echo=None)
    for name in ("posterior.parquet", "predictive.parquet", "posterior_summary.csv"):
        assert (tiny / name).read_bytes() == (again / name).read_bytes(), name
    assert (tiny / "scenario" / "chengdu_2014_calibrated.yaml").read_text().replace(
        str(tiny), "DIR"
    ) == (again / "scenario" / "chengdu_2014_calibrated.yaml").read_text().replace(
        str(again), "DIR"
    )


def test_another_seed_gives_another_posterior(tiny: Path, tmp_path: Path) -> None:
    other = calibrate(SMOKE, tmp_path / "other", [*TINY, "seed=1"], echo=None)
    first = pd.read_parquet(tiny / "posterior.parquet")
    assert not first.equals(other.posterior)


def test_a_run_interrupted_mid_generation_resumes_to_the_uninterrupted_result(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyabc.storage import History

    real = History.append_population

    def interrupted(self: History, t: int, *args: object, **kw: object) -> None:
        if t == 1:  # generation 1 was sampled but is lost: the process died before storing it
            raise KeyboardInterrupt
        real(self, t, *args, **kw)

    out = tmp_path / "resumed"
    monkeypatch.setattr(History, "append_population", interrupted)
    with pytest.raises(KeyboardInterrupt):
        calibrate(SMOKE, out, TINY, echo=None)
    assert (out / "history.db").is_file() and not (out / "meta.json").exists()
    first_part = json.loads((out / "calibration.json").read_text())["elapsed_s"]
    monkeypatch.setattr(History, "append_population", real)
    result = calibrate(SMOKE, out, TINY, echo=None)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["resumed"] is True
    # the total counts the first invocation's finished generations as well as this one
    assert first_part > 0 and meta["total_wall_time_s"] == pytest.approx(
        first_part + meta["wall_time_s"]
    )
    assert sorted(result.posterior["generation"].unique()) == [0, 1]
    for name in ("posterior.parquet", "predictive.parquet"):
        assert (out / name).read_bytes() == (tiny / name).read_bytes(), name


def test_a_run_interrupted_after_the_abc_only_finishes_what_is_missing(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.calibrate import results

    real = results.predictive

    def interrupted(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    out = tmp_path / "late"
    monkeypatch.setattr(results, "predictive", interrupted)
    with pytest.raises(KeyboardInterrupt):
        calibrate(SMOKE, out, TINY, echo=None)
    monkeypatch.setattr(results, "predictive", real)
    stamp = (out / "history.db").stat().st_mtime_ns
    calibrate(SMOKE, out, TINY, echo=None)
    assert (out / "history.db").stat().st_mtime_ns == stamp  # no generation was added
    for name in ("posterior.parquet", "predictive.parquet"):
        assert (out / name).read_bytes() == (tiny / name).read_bytes(), name


# ------------------------------------------------------------------ bad input


def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("jiceng-calibrate: error: ") and "\n" not in err
    assert "Traceback" not in err
    return err


def test_bad_input_is_one_line_and_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "never"
    o = f"--out={out}"
    lever = "parameters.policy.grid.workers_per_10k"
    cases = {
        "no calibration 'calibrate_smok' in experiments/ (did you mean calibrate_smoke?)": [
            "calibrate_smok",
            o,
        ],
        "experiments/smoke.yaml is a sweep, not a calibration": ["smoke", o],
        "policy.grid.workers_per_10k is a lever": [
            SMOKE,
            o,
            f"{lever}.low=0",
            f"{lever}.high=10",
        ],
        "world.communities is a run control": [
            SMOKE,
            o,
            "set={}",
            "parameters.world.communities.low=1",
            "parameters.world.communities.high=2",
        ],
        "unknown parameter 'participation.intercep'": [
            SMOKE,
            o,
            "parameters.participation.intercep.low=0",
            "parameters.participation.intercep.high=1",
        ],
        "prior of participation.party_effect [0, 9] leaves the schema's range [0, 5]": [
            SMOKE,
            o,
            "parameters.participation.party_effect.high=9",
        ],
        "participation.recent_weeks is not a real-valued parameter": [
            SMOKE,
            o,
            "parameters.participation.recent_weeks.low=1",
            "parameters.participation.recent_weeks.high=8",
        ],
        "unknown target 'participation_rat'": [SMOKE, o, "targets.fit=[participation_rat]"],
        "target participation_rate is both fitted and held out": [
            SMOKE,
            o,
            "targets.validate=[participation_rate]",
        ],
        "unknown key 'populaton' (did you mean population?)": [SMOKE, o, "populaton=3"],
        "population=-1 must be a whole number >= 2": [SMOKE, o, "population=-1"],
        "unknown key 'world.communitie'": [SMOKE, o, "set.world.communitie=2"],
        "epsilon.schedule must not increase": [SMOKE, o, "epsilon.schedule=[1.0, 2.0]"],
        "transition.kernel='gauss' is not one of: normal, local": [
            SMOKE,
            o,
            "transition.kernel=gauss",
        ],
        "transition.scaling=0 must be in (0, 100]": [SMOKE, o, "transition.scaling=0"],
        "transition.scaling=nan must be a finite number": [SMOKE, o, "transition.scaling=.nan"],
        "unknown key 'transition.scale' (did you mean scaling?)": [
            SMOKE,
            o,
            "transition.scale=2",
        ],
    }
    for expected, argv in cases.items():
        assert expected in _refused(capsys, *argv), expected
    assert not out.exists()
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    err = _refused(capsys, SMOKE, f"--out={blocker / 'sub'}")
    assert f"cannot write to {blocker / 'sub'}" in err and "choose another --out" in err
    assert "is a file, not a folder" in _refused(capsys, SMOKE, f"--out={blocker}")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert "is not a calibration folder" in _refused(capsys, SMOKE, f"--out={foreign}")
    assert (foreign / "notes.txt").read_text() == "mine"


def test_a_corrupt_history_is_refused_and_left_as_it_was(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny, broken)
    (broken / "meta.json").unlink()  # an unfinished folder, whose history then got damaged
    (broken / "history.db").write_bytes(b"not a database" * 100)
    err = _refused(capsys, SMOKE, f"--out={broken}", *TINY)
    assert "history.db is not a readable pyabc history" in err and "move it away" in err
    assert (broken / "history.db").read_bytes() == b"not a database" * 100


def test_a_folder_of_another_configuration_is_refused(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    shutil.copytree(tiny, other)
    (other / "meta.json").unlink()
    err = _refused(capsys, SMOKE, f"--out={other}", *TINY, "seed=5")
    assert "holds a calibration of another configuration" in err


# ------------------------------------------------------------------ pieces


def test_every_shipped_calibration_file_is_valid() -> None:
    names = spec.available()
    assert {"calibrate_smoke", "calibrate_chengdu_2014"} <= set(names)
    for name in names:
        s = spec.load(name)
        for p in s.parameters:
            meta = spec.schema_params()[p]
            assert meta is not None and meta.is_uncertainty, p
        assert s.fit and not set(s.fit) & set(s.validate)


def _target(name: str, low: float, high: float) -> Target:
    return Target(name, low, high, "level", "a test", "a test", lambda s: float(s[name]))


def test_a_target_interval_is_read_as_midpoint_plus_minus_two_standard_errors() -> None:
    obs = targets.observed(_target("rate", 0.40, 0.55), "fit")
    assert obs.mean == pytest.approx(0.475) and obs.se == pytest.approx(0.0375)
    assert obs.z(0.55) == pytest.approx(2.0) and obs.z(0.40) == pytest.approx(-2.0)
    gradient = _target("gradient", 2.5, math.inf)  # "at least 2.5"
    one = targets.observed(gradient, "fit")
    assert one.sided == "lower" and one.z(4.0) == 0.0
    assert one.z(2.25) == pytest.approx(-0.25 / (0.1 * 2.5))
    assert targets.observed(gradient, "fit", sd=0.5).z(2.0) == pytest.approx(-1.0)
    shipped = next(t for t in PATTERNS if t.name == "participation_rate")
    assert targets.observed(shipped, "fit").se == pytest.approx((shipped.high - shipped.low) / 4)


def test_the_distance_is_the_rms_standardised_deviation_over_fitted_targets_only() -> None:
    obs = [
        targets.observed(_target("participation_rate", 0.40, 0.55), "fit"),
        targets.observed(_target("participation_party_gap", 0.08, 0.40), "fit"),
        targets.observed(_target("social_orgs_per_10k", 4.3, 5.3), "held out"),
    ]
    x = {"participation_rate": 0.55, "participation_party_gap": 0.24, "social_orgs_per_10k": 99}
    assert targets.distance(obs, x) == pytest.approx(math.sqrt((2.0**2 + 0.0**2) / 2))
    assert targets.distance(obs, {**x, "participation_rate": math.nan}) == math.inf


def test_the_smoke_file_is_plain_yaml_with_a_calibration_section() -> None:
    data = yaml.safe_load((ROOT / "experiments" / f"{SMOKE}.yaml").read_text())
    assert set(data) == {"calibration"} and len(data["calibration"]["parameters"]) == 2


# ------------------------------------------------------------------ recovery


@pytest.mark.calibration
def test_parameters_are_recovered_from_targets_the_model_made_itself(tmp_path: Path) -> None:
    """Synthetic targets at known values (10 runs there); the truth lies inside each 90%
    credible interval, and the better-identified intercept is pinned well inside its prior."""
    truth = {"participation.intercept": -5.6, "participation.party_effect": 1.3}
    flow = "{" + ", ".join(f"{k}: {v}" for k, v in truth.items()) + "}"
    result = calibrate(
        SMOKE,
        tmp_path / "recovery",
        [
            f"synthetic={{truth: {flow}, seeds: 10}}",
            "population=20",
            "generations=3",
            "predictive_draws=0",
            "epsilon.minimum=0",
        ],
        echo=None,
    )
    table = result.summary.set_index("parameter")
    for name, value in truth.items():
        row = table.loc[name]
        assert row["ci90_low"] <= value <= row["ci90_high"], (name, row.to_dict())
        assert bool(row["truth_in_ci90"])
    assert table.loc["participation.intercept", "ci90_share_of_prior"] < 0.5


def test_jiceng_refuses_a_calibration_file_as_an_experiment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sim import cli

    assert cli.main([f"experiment={SMOKE}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"jiceng: error: experiments/{SMOKE}.yaml is a calibration, not a sweep; run it with: "
        f"jiceng-calibrate {SMOKE}"
    )


def test_install_puts_the_calibrated_scenario_where_jiceng_finds_it_and_never_over_another(
    smoke: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.calibrate import install_scenario

    folder = tmp_path / "scenarios"
    folder.mkdir()
    for p in compose.scenario_dir().glob("*.yaml"):
        (folder / p.name).symlink_to(p)
    monkeypatch.setattr(compose, "scenario_dir", lambda: folder)
    path = smoke / "scenario" / "chengdu_2014_calibrated.yaml"
    target = install_scenario(path)
    assert (
        target == folder / path.name and "chengdu_2014_calibrated" in compose.available_scenarios()
    )
    assert install_scenario(path) == target  # the same file again is harmless
    target.write_text(target.read_text().replace("intercept: -", "intercept: -1"))
    with pytest.raises(ConfigError, match="already exists with other values"):
        install_scenario(path)


def test_a_named_draw_sets_that_particles_values(smoke: Path) -> None:
    from sim.calibrate.results import calibrated_values

    s = spec.load(SMOKE)
    post = pd.read_parquet(smoke / "posterior.parquet")
    row = post[(post["generation"] == 2) & (post["particle"] == 5)].iloc[0]
    assert calibrated_values(s, post, 5) == {p: row[p] for p in s.parameters}
    with pytest.raises(ConfigError, match="no particle 99"):
        calibrated_values(s, post, 99)


def test_an_interrupted_command_says_how_to_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    api = sys.modules["sim.calibrate"]  # the module (`sim.calibrate` is also the function)

    def interrupted(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "calibrate", interrupted)
    assert main([SMOKE, "--out", str(tmp_path / "x")]) == 130
    err = capsys.readouterr().err
    assert f"finished generations are kept in {tmp_path / 'x'}/history.db" in err
    assert "resume with the same command" in err


def test_the_transition_block_chooses_the_kernel_and_its_scaling() -> None:
    import pyabc

    from sim.calibrate.smc import make_transition

    default = spec.load(SMOKE)
    assert (default.transition, default.transition_scaling) == ("normal", 1.0)
    normal = make_transition(default)
    assert isinstance(normal, pyabc.MultivariateNormalTransition) and normal.scaling == 1.0
    local = make_transition(spec.load(SMOKE, ["transition.kernel=local", "transition.scaling=2"]))
    assert isinstance(local, pyabc.LocalTransition) and local.scaling == 2.0
    assert spec.load(SMOKE, ["transition.scaling=2"]).hash() != default.hash()
