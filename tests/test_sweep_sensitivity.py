"""Sensitivity end to end: the jiceng sweeper samples a SALib design, a launcher runs it,
aggregation collects it and the index tables come out, on functions with known indices."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

APP = """
import math
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from sim.compose import task_node, with_values
from sim.files import write_json
from sim.sweep import run_job


def execute(job_node, run, folder, extra):
    node = with_values(job_node, run.dotlist)
    x1, x2, x3 = float(node.x1), float(node.x2), float(node.x3)
    ishigami = math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)
    write_json(folder / "summary.json", {"ishigami": ishigami, "linear": 2 * x1 + x2})
    config = {"x1": x1, "x2": x2, "x3": x3}
    write_json(folder / "meta.json", {"status": "completed", "seed": int(node.seed),
                                      "scenario": "ishigami", "config": config, **extra})


@hydra.main(version_base="1.3", config_path=".", config_name="config")
def app(cfg):
    node = task_node(cfg)
    job_dir = Path(HydraConfig.get().runtime.output_dir)
    run_job(job_dir, lambda run, folder, extra: execute(node, run, folder, extra))


if __name__ == "__main__":
    app()
"""

CONFIG = """
defaults:
  - override hydra/sweeper: jiceng
  - override hydra/launcher: joblib
  - _self_
x1: 0.0
x2: 0.0
x3: 0.0
seed: 0
hydra:
  mode: MULTIRUN
  sweeper:
    params:
      seed: "0"
    sensitivity:
      method: sobol
      n: 512
      seed: 1
      parameters:
        x1: [-3.141592653589793, 3.141592653589793]
        x2: [-3.141592653589793, 3.141592653589793]
        x3: [-3.141592653589793, 3.141592653589793]
      outcomes: [ishigami, linear]
"""

# Ishigami (a=7, b=0.1): analytic first-order and total indices.
S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def sweep(tmp_path: Path, name: str, *args: str) -> pd.DataFrame:
    app = tmp_path / "app"
    app.mkdir(exist_ok=True)
    (app / "app.py").write_text(APP)
    (app / "config.yaml").write_text(textwrap.dedent(CONFIG))
    out = tmp_path / name
    proc = subprocess.run(
        [sys.executable, str(app / "app.py"), f"hydra.sweep.dir={out}", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for ext in ("csv", "md", "tex"):
        assert (out / "sensitivity" / f"indices.{ext}").is_file()
    return pd.read_csv(out / "sensitivity" / "indices.csv")


def test_sobol_indices_of_ishigami(tmp_path: Path) -> None:
    table = sweep(tmp_path, "sobol")
    ishigami = table[table["outcome"] == "ishigami"].set_index("parameter")
    for p in ("x1", "x2", "x3"):
        assert ishigami.loc[p, "S1"] == pytest.approx(S1[p], abs=0.08), p
        assert ishigami.loc[p, "ST"] == pytest.approx(ST[p], abs=0.08), p
        assert (
            ishigami.loc[p, "S1_ci_low"] <= ishigami.loc[p, "S1"] <= ishigami.loc[p, "S1_ci_high"]
        )
        assert ishigami.loc[p, "ST_conf"] > 0
    linear = table[table["outcome"] == "linear"].set_index("parameter")
    assert linear.loc["x1", "S1"] == pytest.approx(0.8, abs=0.05)  # 4 / (4 + 1)
    assert linear.loc["x3", "ST"] == pytest.approx(0.0, abs=0.02)


def test_morris_elementary_effects_of_a_linear_function(tmp_path: Path) -> None:
    table = sweep(
        tmp_path,
        "morris",
        "hydra.sweeper.sensitivity.method=morris",
        "hydra.sweeper.sensitivity.n=10",
        "hydra/launcher=basic",
    )
    linear = table[table["outcome"] == "linear"].set_index("parameter")
    span = 2 * math.pi
    assert linear.loc["x1", "mu_star"] == pytest.approx(2 * span)
    assert linear.loc["x2", "mu_star"] == pytest.approx(span)
    assert linear.loc["x3", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert linear["sigma"].max() == pytest.approx(0.0, abs=1e-9)
