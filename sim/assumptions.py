"""Global sensitivity over the behavioural assumptions: the screening and robustness
experiments, written from the schema, and the Sobol follow-up on the assumptions that matter.

    python -m sim.assumptions screening          # (re)write the screening and robustness
                                                 # experiments in experiments/
    python -m sim.assumptions screening --check  # exit 1 if either is out of date
    python -m sim.assumptions sobol DIR --top 8  # experiments/assumption_sobol.yaml from a
                                                 # finished screening's robustness/indices.csv

Both experiments vary every real-valued parameter whose role is `behaviour` (`sim.params`)
over a declared plausible range: the default +-50%, clipped to the schema's range (a zero
default: the lowest tenth of the schema range).

- `assumption_screening`: Morris on the reform (chengdu_2014, baseline_2008), one seed per
  design point shared by both, so each point gives the headline outcomes and the reform
  effect paired on the same seed and assumption sample; its Morris indices name the
  assumptions that drive them.
- `assumption_robustness`: a Latin hypercube run on the reform and on every one-at-a-time
  ablation (no_*), paired the same way. Its points sample the assumption space uniformly,
  so the share of points where a conclusion's sign holds estimates the share of that space
  (a Morris grid has only four levels per assumption), and it costs a fraction of running
  every ablation on the Morris design.
- `assumption_robustness_seeds`: the same scenarios and world at the default assumptions
  over 30 seeds, the reference of `jiceng-report robustness --seeds`: a design point runs
  one seed, so its share mixes the assumptions' effect with the seed's.

`jiceng-report robustness DIR` turns either into sign shares of every conclusion the
scenarios present can test (and, for Morris or Sobol, indices of outcomes and effects).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REFORM = ("chengdu_2014", "baseline_2008")
PLAUSIBLE = 0.5
ZERO_SHARE = 0.1
SCREENING = "assumption_screening"
ROBUSTNESS = "assumption_robustness"
ROBUSTNESS_SEEDS = "assumption_robustness_seeds"
REFERENCE_SEEDS = 30
SOBOL = "assumption_sobol"
OUTCOMES = ("resolution_rate", "petitions", "participation_rate", "litigation", "mean_grievance")
TRAJECTORIES = 10
ROBUSTNESS_POINTS = 100  # Wilson 95% half-width of a share <= 0.1
DEFAULTS = [{"override /hydra/sweeper": "jiceng"}, {"override /hydra/launcher": "joblib"}]
COMMUNITIES = 5
SECONDS_PER_RUN = 1.8  # 5 communities, 104 + 260 weeks, on a quiet core here (Dec 2026)


def ablations() -> list[str]:
    from sim.compose import available_scenarios

    return [s for s in available_scenarios() if s.startswith("no_")]


def scenarios() -> list[str]:
    return [*REFORM, *ablations()]


def _set_by_scenarios(names: Sequence[str]) -> set[str]:
    """Dotted keys any of the scenarios sets (these must not be sampled: sampling them
    would erase the difference between the scenarios)."""
    from omegaconf import OmegaConf

    from sim.compose import scenario_node

    out: set[str] = set()

    def walk(d: Any, prefix: str) -> None:
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                out.add(f"{prefix}{k}")

    for s in names:
        node = OmegaConf.to_container(scenario_node(s))
        assert isinstance(node, dict)
        walk(node, "")
    return out


def plausible_range(default: float, low: float | None, high: float | None) -> tuple[float, float]:
    """Default +-50%, clipped to the schema range; a zero default: the lowest tenth."""
    lo_s = -math.inf if low is None else low
    hi_s = math.inf if high is None else high
    if default == 0:
        width = (hi_s - lo_s) if math.isfinite(hi_s - lo_s) else 1.0
        return (max(lo_s, 0.0), max(lo_s, 0.0) + ZERO_SHARE * width)
    a, b = sorted((default * (1 - PLAUSIBLE), default * (1 + PLAUSIBLE)))
    return (max(a, lo_s), min(b, hi_s))


def assumptions() -> dict[str, tuple[float, float]]:
    """Every real-valued behavioural assumption no scenario of the set overrides, with its
    plausible range."""
    from sim.calibrate.spec import field_type
    from sim.config import SimConfig
    from sim.params import iter_params

    fixed = _set_by_scenarios(scenarios())
    out = {}
    for name, value, meta in iter_params(SimConfig()):
        if meta is None or meta.role != "behaviour" or field_type(name) is not float:
            continue
        if name in fixed:
            continue
        lo, hi = plausible_range(float(value), meta.low, meta.high)
        if hi > lo:
            out[name] = (_round(lo), _round(hi))
    return out


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def budget(n_points: int, n_scenarios: int, seeds: int = 1) -> str:
    runs = n_points * n_scenarios * seeds
    hours = runs * SECONDS_PER_RUN / 3600
    return (
        f"{n_points:,} design points x {n_scenarios} scenarios x {seeds} seed = {runs:,} runs,\n"
        f"#   ~{hours:.1f} CPU-hours at {SECONDS_PER_RUN} s a run ({COMMUNITIES} communities, "
        "260 weeks after a 104-week burn-in)"
    )


def _experiment(
    name: str,
    scenarios: Sequence[str],
    header: list[str],
    design: tuple[str, int, dict[str, tuple[float, float]]] | None = None,
    seeds: int = 1,
    report: str = "",
) -> str:
    """An experiment file: `design` (method, n, parameters) over the assumptions, one seed
    per design point; without one, the scenarios at the defaults over `seeds` seeds."""
    seed = "0" if seeds == 1 else f"range(0,{seeds})"
    sweeper: dict[str, Any] = {"params": {"scenario": ",".join(scenarios), "seed": seed}}
    if design is not None:
        method, n, parameters = design
        sweeper["sensitivity"] = {
            "method": method,
            "n": n,
            "seed": 0,
            "parameters": {k: [lo, hi] for k, (lo, hi) in parameters.items()},
            "outcomes": list(OUTCOMES),
        }
    body = {
        "defaults": DEFAULTS,
        "world": {"communities": COMMUNITIES},
        "output": {"progress": False, "plot": False},
        "hydra": {
            "mode": "MULTIRUN",
            "sweep": {"dir": f"multirun/{name}"},
            "job": {"config": {"override_dirname": {"exclude_keys": ["experiment"]}}},
            "sweeper": sweeper,
        },
    }
    head = ["# @package _global_", *header, f"#   jiceng experiment={name}",
            f"#   jiceng-report robustness multirun/{name}{report}"]  # fmt: skip
    return "\n".join(head) + "\n" + _dump(body)


RANGES = [
    "# Ranges: the default +-50%, clipped to the schema's range (a zero default: the lowest",
    "# tenth of it).",
]


def screening_yaml() -> str:
    params = assumptions()
    points = TRAJECTORIES * (len(params) + 1)
    header = [
        "# Morris screening of every behavioural assumption on the reform (generated by",
        "# `python -m sim.assumptions screening`; do not edit by hand).",
        *RANGES,
        "# The same design and seed run on chengdu_2014 and baseline_2008, so each design",
        "# point gives the reform effect paired on the same seed and assumption sample.",
        f"# Budget: {budget(points, len(REFORM))}.",
    ]
    return _experiment(SCREENING, REFORM, header, ("morris", TRAJECTORIES, params))


def robustness_yaml() -> str:
    params = assumptions()
    names = scenarios()
    header = [
        "# Robustness of every conclusion over the behavioural assumptions: a Latin",
        "# hypercube (generated by `python -m sim.assumptions screening`; do not edit by",
        "# hand).",
        *RANGES,
        "# The same design and seed run on the reform and on every ablation, so each design",
        "# point pairs chengdu_2014 with baseline_2008 and with each no_* scenario; the share",
        "# of points where a conclusion holds is the share of the assumption space.",
        f"# Budget: {budget(ROBUSTNESS_POINTS, len(names))}.",
        f"# Run {ROBUSTNESS_SEEDS} as well, for the share over seeds at the defaults:",
    ]
    design = ("latin", ROBUSTNESS_POINTS, params)
    report = f" --seeds multirun/{ROBUSTNESS_SEEDS}"
    return _experiment(ROBUSTNESS, names, header, design, report=report)


def robustness_seeds_yaml() -> str:
    names = scenarios()
    runs = REFERENCE_SEEDS * len(names)
    header = [
        f"# The reference of {ROBUSTNESS} (generated by `python -m sim.assumptions",
        "# screening`; do not edit by hand): its scenarios and world at the default",
        f"# assumptions over {REFERENCE_SEEDS} seeds, paired by seed, so `jiceng-report robustness",
        f"# multirun/{ROBUSTNESS} --seeds multirun/{ROBUSTNESS_SEEDS}` tells a conclusion",
        "# that depends on the assumptions from one within the noise of a single run.",
        f"# Budget: {len(names)} scenarios x {REFERENCE_SEEDS} seeds = {runs:,} runs,",
        f"#   ~{runs * SECONDS_PER_RUN / 3600:.1f} CPU-hours at {SECONDS_PER_RUN} s a run.",
    ]
    return _experiment(ROBUSTNESS_SEEDS, names, header, seeds=REFERENCE_SEEDS)


def sobol_yaml(source: Path, top: int, n: int) -> str:
    """A Sobol experiment on the `top` assumptions by Morris mu* (normalised by the largest
    mu* of each effect, then the maximum over effects) from a finished screening."""
    import pandas as pd

    path = Path(source) / "robustness" / "indices.csv"
    if not path.is_file():
        raise SystemExit(
            f"{path} is missing; run: jiceng-report robustness {source} (after the screening)"
        )
    idx = pd.read_csv(path)
    effects = idx[idx["target"].str.contains(" - ", regex=False)]
    if effects.empty or "mu_star" not in effects:
        raise SystemExit(f"{path} has no Morris indices of effects; is it a Morris screening?")
    norm = effects.groupby("target")["mu_star"].transform(lambda s: s / max(s.max(), 1e-12))
    score = effects.assign(score=norm).groupby("parameter")["score"].max()
    chosen = list(score.sort_values(ascending=False).index[:top])
    ranges = assumptions()
    points = n * (len(chosen) + 2)
    header = [
        f"# Sobol indices of the {len(chosen)} assumptions that matter most in",
        f"# {source} (generated by `python -m sim.assumptions sobol`), on the reform",
        "# (chengdu_2014 and baseline_2008, paired by design point).",
        f"# Budget: {budget(points, len(REFORM))}.",
    ]
    return _experiment(SOBOL, REFORM, header, ("sobol", n, {k: ranges[k] for k in chosen}))


def _dump(body: dict[str, Any]) -> str:
    """YAML with each parameter's [low, high] on one line."""

    class Dumper(yaml.SafeDumper):
        pass

    def flow_pair(d: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
        flow = len(data) == 2 and all(isinstance(v, float) for v in data)
        return d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    Dumper.add_representer(list, flow_pair)
    return yaml.dump(body, Dumper=Dumper, sort_keys=False, width=100)


def experiments_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "experiments"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.assumptions", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("screening", help="write the screening and robustness experiments")
    s.add_argument("--check", action="store_true", help="exit 1 if a shipped file differs")
    b = sub.add_parser("sobol", help="write the Sobol experiment from a finished screening")
    b.add_argument("dir", type=Path)
    b.add_argument("--top", type=int, default=8)
    b.add_argument("--n", type=int, default=64, help="Sobol base sample (a power of two)")
    args = ap.parse_args(argv)
    if args.command == "screening":
        files = {
            SCREENING: screening_yaml(),
            ROBUSTNESS: robustness_yaml(),
            ROBUSTNESS_SEEDS: robustness_seeds_yaml(),
        }
        for name, text in files.items():
            path = experiments_dir() / f"{name}.yaml"
            if args.check:
                if (path.read_text() if path.is_file() else "") != text:
                    print(f"{path} is out of date; run python -m sim.assumptions screening",
                          file=sys.stderr)  # fmt: skip
                    return 1
                continue
            path.write_text(text)
            print(f"-> {path} ({len(assumptions())} assumptions)")
        return 0
    path = experiments_dir() / f"{SOBOL}.yaml"
    path.write_text(sobol_yaml(args.dir, args.top, args.n))
    print(f"-> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
