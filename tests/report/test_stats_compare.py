"""Comparisons pair every variant with the reference by seed (common random numbers)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.io import write_run
from sim.report import compare, load
from sim.run import run

SEEDS = 8


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crn")
    for scenario in ("chengdu_2014", "no_grid"):
        for seed in range(SEEDS):
            result = run(scenario=scenario, seed=seed, **{"world.communities": 1, "steps": 26})
            write_run(result, root / f"scenario={scenario},seed={seed}", variant=scenario)
    return root


def test_paired_ci_is_narrower_than_unpaired_where_crn_holds(sweep: Path) -> None:
    paired = compare(sweep, "chengdu_2014").set_index("outcome")
    unpaired = compare(sweep, "chengdu_2014", paired=False).set_index("outcome")
    runs = load(sweep).completed
    crn = []
    for outcome in paired.index:
        assert paired.loc[outcome, "n_pairs"] == SEEDS
        assert paired.loc[outcome, "mean_diff"] == pytest.approx(unpaired.loc[outcome, "mean_diff"])
        wide = runs.pivot(index="seed", columns="variant", values=outcome)
        if wide["chengdu_2014"].corr(wide["no_grid"]) > 0.5:  # the seeds' shared draws show
            crn.append(outcome)
            assert paired.loc[outcome, "half_width"] < unpaired.loc[outcome, "half_width"], outcome
    assert {"resolution_rate", "disputes"} <= set(crn) and len(crn) >= 5
    assert set(paired.columns) >= {
        "t_ci_low", "t_ci_high", "boot_ci_low", "boot_ci_high", "effect_size", "enough_replicates",
    }  # fmt: skip


def test_compare_cli_writes_csv_markdown_and_booktabs(sweep: Path, tmp_path: Path) -> None:
    stem = tmp_path / "cmp"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.report.cli",
            "compare",
            str(sweep),
            "--reference",
            "chengdu_2014",
            "--outcomes",
            "resolution_rate,mean_time_to_resolution",
            "--tolerance",
            "resolution_rate=0.5,mean_time_to_resolution=0.0001",
            "--out",
            str(stem),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    csv = (tmp_path / "cmp.csv").read_text().splitlines()
    assert csv[0].startswith("variant,reference,outcome,n_pairs") and len(csv) == 3
    assert "| no_grid | chengdu_2014 | resolution_rate | 8 |" in (tmp_path / "cmp.md").read_text()
    tex = (tmp_path / "cmp.tex").read_text()
    assert r"\toprule" in tex and r"\bottomrule" in tex
    assert "Student t-interval" in tex and "bootstrap interval" in tex
    rows = {line.split(",")[2]: line.split(",") for line in csv[1:]}
    header = csv[0].split(",")
    enough = header.index("enough_replicates")
    assert (
        rows["resolution_rate"][enough] == "True"
        and rows["mean_time_to_resolution"][enough] == "False"
    )


def test_unknown_reference_is_one_line(sweep: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sim.report.cli", "compare", str(sweep), "--reference", "nope"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "jiceng-report: error: reference 'nope' is not a variant; choose one of: "
        "chengdu_2014, no_grid"
    )
