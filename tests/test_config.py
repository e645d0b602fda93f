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
