"""Which conclusions survive the assumptions: sign shares and sensitivity of the effects.

    jiceng-report robustness multirun/assumption_screening

For a sweep that runs several scenarios on the same design points (a sensitivity or
Latin-hypercube design over the assumptions, `sample_id`) and seeds, every conclusion the
shipped experiments draw is a paired difference on the same design point and seed (an
effect of exactly zero does not count as holding; `share_no_effect` says how often):

- the reform beats the baseline: chengdu_2014 - baseline_2008 on resolution, petitions and
  participation;
- each mechanism helps: chengdu_2014 - no_X on the same outcomes, for every ablation no_X
  in the sweep.

Per design point the effect is the mean over its seeds; the table gives the share of design
points where the effect has the conclusion's sign (with a Wilson 95% interval), its median
and 90% range. On a Morris design the points lie on a 4-level grid with uniform marginals;
a Latin hypercube gives the share of the (uniformly sampled) assumption space itself. For
Morris and Sobol designs the indices of every scenario's outcomes and of every effect are
written beside it, so the assumptions that drive a conclusion can be named.

A design point usually runs one seed, so its share mixes the assumptions' effect with the
seed's. `--seeds REF`, a sweep of the same scenarios over seeds at the default assumptions,
adds each conclusion's share over those seeds (`seed_share_holds` and its interval): a
conclusion that holds on most seeds at the defaults but on fewer design points depends on
the assumptions; one near a half in both is within the noise of a single run. A reference
run on another world, horizon or burn-in than the design holds fixed is refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REFORM, BASELINE = "chengdu_2014", "baseline_2008"
HEADLINE: dict[str, int] = {"resolution_rate": 1, "petitions": -1, "participation_rate": 1}
"""Headline outcomes and which direction is better (+1 higher, -1 lower)."""


@dataclass(frozen=True)
class Conclusion:
    claim: str
    variant: str
    reference: str
    outcome: str
    better: int

    @property
    def effect(self) -> str:
        return f"{self.variant} - {self.reference}: {self.outcome}"


def conclusions(scenarios: Sequence[str]) -> list[Conclusion]:
    """The conclusions the scenarios present in a sweep can test."""
    present = set(scenarios)
    out = []
    if {REFORM, BASELINE} <= present:
        for o, b in HEADLINE.items():
            out.append(Conclusion(f"reform beats baseline on {o}", REFORM, BASELINE, o, b))
    if REFORM in present:
        for s in sorted(x for x in present if x.startswith("no_")):
            mechanism = s.removeprefix("no_").replace("_", " ")
            for o, b in HEADLINE.items():
                out.append(Conclusion(f"{mechanism} helps on {o}", REFORM, s, o, b))
    return out


def _key(runs: pd.DataFrame) -> str:
    return "sample_id" if "sample_id" in runs and runs["sample_id"].notna().any() else "seed"


def effects(runs: pd.DataFrame, c: Conclusion) -> pd.Series:
    """Per design point (or per seed, without a design): the mean over seeds of the paired
    difference variant - reference."""
    key = _key(runs)
    cols = [key, "seed"] if key != "seed" else ["seed"]
    pick = runs[runs["scenario"].isin([c.variant, c.reference])][[*cols, "scenario", c.outcome]]
    wide = pick.pivot_table(index=cols, columns="scenario", values=c.outcome, aggfunc="mean")
    if c.variant not in wide or c.reference not in wide:
        return pd.Series(dtype=float)
    diff = (wide[c.variant] - wide[c.reference]).dropna()
    return diff.groupby(level=0).mean() if key != "seed" else diff


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def robustness_table(runs: pd.DataFrame) -> pd.DataFrame:
    done = runs[runs["status"] == "completed"] if "status" in runs else runs
    rows = []
    for c in conclusions(list(done["scenario"].dropna().unique())):
        if c.outcome not in done:
            continue
        e = effects(done, c)
        n = int(len(e))
        holds = int((np.sign(e) == c.better).sum())
        lo, hi = wilson(holds, n)
        rows.append(
            {
                "conclusion": c.claim,
                "variant": c.variant,
                "reference": c.reference,
                "outcome": c.outcome,
                "better": "higher" if c.better > 0 else "lower",
                "points": n,
                "share_holds": holds / n if n else math.nan,
                "share_no_effect": float((e == 0).mean()) if n else math.nan,
                "share_ci_low": lo,
                "share_ci_high": hi,
                "effect_median": float(e.median()) if n else math.nan,
                "effect_q05": float(e.quantile(0.05)) if n else math.nan,
                "effect_q95": float(e.quantile(0.95)) if n else math.nan,
            }
        )
    return pd.DataFrame(rows)


def effect_indices(runs: pd.DataFrame, spec: dict[str, object]) -> tuple[pd.DataFrame, list[str]]:
    """Morris/Sobol indices of each scenario's headline outcomes and of every effect."""
    from sim.report.sensitivity import analyze, spec_design

    method = str(spec.get("method", "sobol"))
    if method not in ("morris", "sobol"):
        return pd.DataFrame(), [f"{method} design: no indices (sign shares only)"]
    done = runs[runs["status"] == "completed"] if "status" in runs else runs
    problem, design = spec_design(spec, done)
    targets: dict[str, pd.Series] = {}
    for s in sorted(done["scenario"].dropna().unique()):
        part = done[done["scenario"] == s]
        for o in HEADLINE:
            if o in part:
                targets[f"{s}: {o}"] = part.groupby("sample_id")[o].mean()
    for c in conclusions(list(done["scenario"].dropna().unique())):
        if c.outcome in done:
            targets[c.effect] = effects(done, c)
    parts, notes = [], []
    for name, y in targets.items():
        y = y.reindex(design["sample_id"])
        if y.isna().any():
            notes.append(f"{name}: {int(y.isna().sum())} design points missing; left out")
            continue
        try:
            table = analyze(problem, method, design, y.to_numpy(), seed=int(spec["seed"]))  # type: ignore[arg-type,call-overload]
        except ValueError as exc:
            notes.append(f"{name}: {exc}; left out")
            continue
        table.insert(0, "target", name)
        parts.append(table)
    return (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()), notes


def _paired_runs(root: Path) -> pd.DataFrame:
    from sim.report.aggregate import AggregateError, load

    runs = load(root).completed
    if "scenario" not in runs or runs["scenario"].nunique() < 2:
        raise AggregateError(
            f"{root} runs fewer than two scenarios; robustness pairs scenarios on the same "
            "design points (e.g. jiceng experiment=assumption_screening)"
        )
    return runs


FIXED_SETTINGS = ("steps", "burn_in")  # with every world.* setting


def differing_settings(runs: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """The world, horizon and burn-in settings the design sweep holds fixed that the seed
    reference ran at another value (settings the design varies are not compared)."""
    out = []
    for col in runs.columns:
        if not (col.startswith("world.") or col in FIXED_SETTINGS) or col not in reference:
            continue
        ours, theirs = runs[col].dropna().unique(), reference[col].dropna().unique()
        if len(ours) == 1 and (len(theirs) != 1 or theirs[0] != ours[0]):
            out.append(f"{col}={ours[0]} (the reference: {', '.join(map(str, theirs))})")
    return out


def with_seed_reference(table: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Add each conclusion's share over the seeds of a sweep at the default assumptions."""
    ref = robustness_table(reference)
    cols = {"points": "seeds", "share_holds": "seed_share_holds",
            "share_ci_low": "seed_ci_low", "share_ci_high": "seed_ci_high"}  # fmt: skip
    ref = ref[["conclusion", *cols]].rename(columns=cols)
    return table.merge(ref, on="conclusion", how="left")


def robustness_report(
    root: str | Path, seeds: str | Path | None = None
) -> tuple[dict[str, Path], list[str]]:
    """Write `DIR/robustness/robustness.{csv,md,tex}` (and `indices.*` for a Morris or Sobol
    design); `seeds`, a sweep over seeds at the default assumptions, adds the share over its
    seeds. Returns the paths and notes."""
    from sim.files import read_json
    from sim.report.aggregate import AggregateError
    from sim.report.tables import write_table

    root = Path(root)
    runs = _paired_runs(root)
    table = robustness_table(runs)
    if table.empty:
        raise AggregateError(
            f"{root} has no pair to test: it needs {REFORM} with {BASELINE} or with no_* ablations"
        )
    if seeds is not None:
        reference = _paired_runs(Path(seeds))
        if _key(reference) == "sample_id":
            raise AggregateError(
                f"--seeds {seeds} is a design over parameters; give a sweep over seeds at the "
                "default assumptions (e.g. jiceng experiment=assumption_robustness_seeds)"
            )
        differ = differing_settings(runs, reference)
        if differ:
            raise AggregateError(
                f"--seeds {seeds} ran another world than {root}: {'; '.join(differ)}; run the "
                "reference with the design's world (python -m sim.assumptions screening "
                "writes both experiments)"
            )
        table = with_seed_reference(table, reference)
    paths: dict[str, Path] = {}
    key = _key(runs)
    over = "the assumption space (design points)" if key == "sample_id" else "seeds"
    caption = f"Share of {over} where each conclusion holds, with a Wilson 95% interval"
    stem = root / "robustness" / "robustness"
    paths["robustness"] = write_table(table, stem, caption=caption)["csv"]
    notes: list[str] = []
    spec = read_json(root / "sensitivity" / "spec.json")
    if spec is not None and key == "sample_id":
        indices, notes = effect_indices(runs, spec)
        if not indices.empty:
            caption = f"{str(spec.get('method')).capitalize()} indices of outcomes and effects"
            paths["indices"] = write_table(indices, root / "robustness" / "indices",
                                           caption=caption)["csv"]  # fmt: skip
    return paths, notes
