"""Bad input gets one line naming the problem and the fix, before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.compose import available_scenarios, load_config, scenario_node
from sim.params import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_scenarios_name_themselves_and_state_their_basis() -> None:
    names = available_scenarios()
    assert {"baseline_2008", "chengdu_2014"} <= set(names)
    for name in names:
        node = scenario_node(name)
        assert node.scenario == name
        assert len(str(node.basis)) > 40, f"{name} must state its empirical basis"
        load_config(name)


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"world.communities": 0}, "world.communities=0 is out of range: allowed [1, 20000]"),
        ({"mediation.courtyard.skill": 11.0}, "mediation.courtyard.skill=11.0 is out of range"),
        ({"world.communitie": 2}, "unknown key 'world.communitie': did you mean"),
        ({"mediation.grand.discipline": "lifo"}, "expected one of [fifo, severity]"),
        ({"world.neighbour_ties": 3}, "must be even"),
    ],
)
def test_load_config_errors(overrides: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config("chengdu_2014", overrides)
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_scenario_lists_options() -> None:
    with pytest.raises(ConfigError, match=r"unknown scenario 'chengdu'.*baseline_2008"):
        load_config("chengdu")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["world.communities=-1"], "world.communities=-1 is out of range"),
        (["world.communitie=2"], "did you mean 'world.communities'"),
        (["scenario=chengdu2014"], "did you mean chengdu_2014?"),
        (["steps=abc"], "bad value for 'steps'"),
        (["world.communities=2,0", "-m"], "world.communities=0 is out of range"),
    ],
)
def test_cli_user_errors_are_one_line_and_write_nothing(
    argv: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chdir(tmp_path)
    code = main([*argv, f"hydra.run.dir={tmp_path}/run", f"hydra.sweep.dir={tmp_path}/sweep"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert needle in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_error_exit_code_from_a_real_process(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "world.communities=0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("jiceng: error: world.communities=0")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ non-finite values

NON_FINITE = ["nan", "inf", "-inf"]
RANGE = "is not a finite number: allowed [0, 1] (share); set trust.online_share to a finite"


@pytest.mark.parametrize("text", NON_FINITE)
def test_non_finite_values_are_refused_by_name_and_range_in_the_python_api(text: str) -> None:
    from sim.model import GovernanceModel
    from sim.run import run

    value = float(text)
    small = {"world.communities": 1, "steps": 2}
    calls = {
        "load_config": lambda: load_config("chengdu_2014", {**small, "trust.online_share": value}),
        "run": lambda: run(scenario="chengdu_2014", **small, **{"trust.online_share": value}),
        "GovernanceModel": lambda: GovernanceModel(**small, **{"trust.online_share": value}),
    }
    for name, call in calls.items():
        with pytest.raises(ConfigError) as err:
            call()
        assert str(err.value) == f"trust.online_share={value!r} {RANGE} value in that range", name


def test_a_hand_edited_config_with_nan_is_refused_by_the_model_and_run() -> None:
    from sim.model import GovernanceModel
    from sim.run import run

    cfg = load_config("chengdu_2014", {"world.communities": 1, "steps": 2})
    cfg.mediation.courtyard.skill = float("nan")
    for call in (lambda: GovernanceModel(config=cfg), lambda: run(cfg)):
        with pytest.raises(ConfigError, match=r"mediation\.courtyard\.skill=nan is not a finite"):
            call()


@pytest.mark.parametrize("text", NON_FINITE)
def test_non_finite_values_on_the_command_line_are_one_line_and_write_nothing(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([f"trust.online_share={text}", f"hydra.run.dir={tmp_path}/run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0] == (
        f"jiceng: error: trust.online_share={float(text)!r} {RANGE} value in that range"
    )
    assert list(tmp_path.iterdir()) == []


def test_nan_anywhere_in_a_sweep_grid_stops_it_before_any_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["-m", "trust.online_share=0.5,nan", "seed=0,1", f"hydra.sweep.dir={tmp_path}/sweep"]
    assert main(argv) == 2
    assert "trust.online_share=nan is not a finite number" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_nan_in_a_scenario_yaml_or_its_timeline_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("defaults: [chengdu_2014]\npolicy:\n  grid:\n    workers_per_10k: .nan\n")
    with pytest.raises(ConfigError, match=r"policy\.grid\.workers_per_10k=nan is not a finite"):
        load_config(str(mine))
    mine.write_text(
        "defaults: [baseline_2008]\n"
        "timeline:\n  - {step: 2, label: reform, set: {policy.grid.workers_per_10k: .inf}}\n"
    )
    with pytest.raises(ConfigError, match=r"timeline\[0\] policy\.grid\.workers_per_10k=inf"):
        load_config(str(mine), {"steps": 5})


def test_a_non_finite_bound_of_a_sensitivity_design_names_the_parameter_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    design = "hydra.sweeper.sensitivity.parameters={mediation.grand.servers:[0,nan]}"
    assert main(["experiment=mediation_capacity", design]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0] == (
        "jiceng: error: hydra.sweeper.sensitivity: bounds for 'mediation.grand.servers' must "
        "be two finite numbers within its range [0, 10000] (servers per unit), got [0, nan]"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", NON_FINITE)
def test_a_non_finite_whole_number_is_one_line_naming_the_key_and_range(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([f"world.communities={text}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("jiceng: error: bad value for 'world.communities'")
    assert err[0].endswith("; allowed [1, 20000] (communities)")
    assert list(tmp_path.iterdir()) == []
