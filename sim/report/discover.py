"""Scenario discovery: PRIM (EMA Workbench 3.0's `analysis.prim`) on a sweep's runs.parquet.

    jiceng-report discover DIR --where "petitions > 300"
    jiceng-report discover DIR --outcome petitions --where "< q10"

Inputs are the parameters that vary across the completed runs (levers and uncertainties
alike; text and choice parameters enter as categories), the case of interest is the
condition on one outcome (a number, or `qNN`, the NN% quantile of that outcome over the
runs). PRIM (Friedman & Fisher 1999, as adapted for scenario discovery by Bryant & Lempert
2010) peels the input space towards a box dense in cases of interest; the trajectory trades
coverage (share of all cases of interest inside the box) against density (share of the
box's runs that are cases of interest). The box chosen is the densest one whose coverage is
at least `min_coverage` (or the one asked for), reported with each restricted dimension's
limits and quasi-p-values (a one-sided binomial test of whether the restriction matters).
"""

from __future__ import annotations

import logging
import math
import operator
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}
_CONDITION = re.compile(
    r"^\s*(?P<outcome>[A-Za-z_][\w.]*)?\s*(?P<op>>=|<=|==|>|<)\s*(?P<value>\S+)\s*$"
)
NON_INPUTS = {"seed", "sample_id", "scenario", "variant", "run", "status"}


class DiscoveryError(ValueError):
    """Bad input to discovery; the message is one line naming the fix."""


@dataclass(frozen=True)
class Condition:
    outcome: str
    op: str
    threshold: float
    text: str

    def holds(self, values: pd.Series) -> np.ndarray:
        return np.asarray(OPS[self.op](values.to_numpy(dtype=float), self.threshold), dtype=bool)


def parse_condition(where: str, outcome: str | None, runs: pd.DataFrame) -> Condition:
    """`petitions > 300`, `> q90` with an outcome, `resolution_rate <= q25` ..."""
    m = _CONDITION.match(where or "")
    if m is None:
        raise DiscoveryError(
            f'bad --where {where!r}: write OUTCOME OP VALUE, e.g. "petitions > 300" or '
            '"petitions > q90" (OP one of > >= < <= ==)'
        )
    named = m.group("outcome")
    if named and outcome and named != outcome:
        raise DiscoveryError(f"--outcome {outcome} but --where names {named}; name one outcome")
    name = named or outcome
    if not name:
        raise DiscoveryError('name the outcome: --outcome NAME, or --where "NAME > value"')
    if name not in runs.columns:
        numeric = [c for c in runs.columns if pd.api.types.is_numeric_dtype(runs[c])]
        import difflib

        close = difflib.get_close_matches(name, numeric, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise DiscoveryError(f"no outcome {name!r} in runs.parquet{hint}")
    column = runs[name]
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        raise DiscoveryError(f"outcome {name!r} is not numeric; choose a numeric outcome")
    text = m.group("value")
    q = re.fullmatch(r"q(\d{1,2}(?:\.\d+)?)", text)
    if q:
        threshold = float(np.nanquantile(column.to_numpy(dtype=float), float(q.group(1)) / 100))
    else:
        try:
            threshold = float(text)
        except ValueError:
            raise DiscoveryError(
                f"bad value {text!r} in --where: a number or a quantile such as q90"
            ) from None
    if not math.isfinite(threshold):
        raise DiscoveryError(f"the threshold of {where!r} is not finite")
    shown = f"{name} {m.group('op')} {text}" + (f" (= {threshold:.4g})" if q else "")
    return Condition(outcome=name, op=m.group("op"), threshold=threshold, text=shown)


def input_table(runs: pd.DataFrame, parameters: Sequence[str]) -> pd.DataFrame:
    """The parameters that vary over the runs: numbers as floats, the rest as categories."""
    cols: dict[str, pd.Series] = {}
    for p in parameters:
        if p not in runs.columns or p in NON_INPUTS or p.startswith("output."):
            continue
        column = runs[p]
        if column.nunique(dropna=False) < 2:
            continue
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            cols[p] = column.astype(str).astype("category")
        else:
            cols[p] = column.astype(float)
    return pd.DataFrame(cols, index=runs.index)


@dataclass
class Discovery:
    condition: Condition
    trajectory: pd.DataFrame  # box, coverage, density, mass, res_dim, n, cases
    box: pd.DataFrame  # dimension, min, max, range_min, range_max, qp_low, qp_high
    chosen: int
    cases: int
    n: int
    inputs: list[str]

    @property
    def stats(self) -> dict[str, Any]:
        row = self.trajectory.iloc[self.chosen]
        return {
            "condition": self.condition.text,
            "box": self.chosen,
            "coverage": float(row["coverage"]),
            "density": float(row["density"]),
            "mass": float(row["mass"]),
            "restricted_dimensions": int(row["res_dim"]),
            "runs": self.n,
            "cases_of_interest": self.cases,
        }


def prim(
    x: pd.DataFrame,
    y: np.ndarray,
    condition: Condition,
    *,
    min_coverage: float = 0.5,
    box: int | None = None,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """Run PRIM on a plain (inputs, boolean cases-of-interest) pair and pick a box."""
    y = np.asarray(y, dtype=bool)
    if x.empty or x.shape[1] == 0:
        raise DiscoveryError("no parameter varies across the runs: nothing to discover")
    if not y.any():
        raise DiscoveryError(f"no run satisfies {condition.text}; relax the condition")
    if y.all():
        raise DiscoveryError(f"every run satisfies {condition.text}; tighten the condition")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim as ema_prim

        logging.getLogger("EMA").setLevel(logging.WARNING)  # its INFO chatter is not ours

        algo = ema_prim.Prim(x.reset_index(drop=True), y, peel_alpha=peel_alpha, mass_min=mass_min)
        found = algo.find_box()
    if found is None:  # pragma: no cover - only when no data remain
        raise DiscoveryError("PRIM found no box")
    traj = found.peeling_trajectory
    trajectory = pd.DataFrame(
        {
            "box": traj["id"].astype(int),
            "coverage": traj["coverage"].astype(float),
            "density": traj["density"].astype(float),
            "mass": traj["mass"].astype(float),
            "res_dim": traj["res_dim"].astype(int),
            "n": traj["n"].astype(int),
            "cases": traj["k"].astype(int),
        }
    )
    if box is None:
        eligible = trajectory[trajectory["coverage"] >= min_coverage]
        eligible = eligible if not eligible.empty else trajectory
        chosen = int(eligible.sort_values(["density", "coverage"], ascending=False).iloc[0]["box"])
    elif not 0 <= box < len(trajectory):
        raise DiscoveryError(f"--box {box}: the trajectory has boxes 0..{len(trajectory) - 1}")
    else:
        chosen = box
    return Discovery(
        condition=condition,
        trajectory=trajectory,
        box=_box_table(found, chosen, x),
        chosen=chosen,
        cases=int(y.sum()),
        n=len(y),
        inputs=list(x.columns),
    )


def _box_table(found: Any, i: int, x: pd.DataFrame) -> pd.DataFrame:
    lims, full = found.box_lims[i], found.box_lims[0]
    qp = found.p_values[i]
    rows = []
    for dim in x.columns:
        if dim not in lims.columns:
            continue
        lo, hi = lims[dim].iloc[0], lims[dim].iloc[1]
        flo, fhi = full[dim].iloc[0], full[dim].iloc[1]
        if isinstance(lo, set) or isinstance(flo, set):  # categories
            kept = sorted(map(str, lims[dim].iloc[0]))
            if set(kept) == set(map(str, full[dim].iloc[0])):
                continue
            values = qp.get(dim, [-1, -1])
            rows.append(
                {
                    "dimension": dim,
                    "min": math.nan,
                    "max": math.nan,
                    "categories": ", ".join(kept),
                    "range_min": math.nan,
                    "range_max": math.nan,
                    "qp_low": _qp(values[0]),
                    "qp_high": math.nan,
                }
            )
            continue
        if lo == flo and hi == fhi:
            continue
        values = qp.get(dim, [-1, -1])
        rows.append(
            {
                "dimension": dim,
                "min": float(lo),
                "max": float(hi),
                "categories": "",
                "range_min": float(flo),
                "range_max": float(fhi),
                "qp_low": _qp(values[0]),
                "qp_high": _qp(values[1]),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "dimension",
            "min",
            "max",
            "categories",
            "range_min",
            "range_max",
            "qp_low",
            "qp_high",
        ],
    )


def _qp(v: Any) -> float:
    v = float(v)
    return math.nan if v < 0 else v


# ------------------------------------------------------------------ from a sweep


def slug(condition: Condition) -> str:
    op = {">": "gt", ">=": "ge", "<": "lt", "<=": "le", "==": "eq"}[condition.op]
    value = condition.text.split()[2]
    return re.sub(r"[^\w.-]+", "_", f"{condition.outcome}_{op}_{value}")


def discover(
    source: str | Path,
    where: str,
    outcome: str | None = None,
    *,
    min_coverage: float = 0.5,
    box: int | None = None,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    out: Path | None = None,
) -> tuple[Discovery, dict[str, Path]]:
    """PRIM on a sweep folder's completed runs; writes tables and figures under
    `DIR/discovery/<condition>/` (or `out`)."""
    from sim.report.aggregate import load
    from sim.report.tables import write_table

    tables = load(source)
    runs = tables.completed.reset_index(drop=True)
    if runs.empty:
        raise DiscoveryError(f"{source} has no completed runs to mine")
    condition = parse_condition(where, outcome, runs)
    keep = runs[condition.outcome].notna()
    runs = runs[keep].reset_index(drop=True)
    x = input_table(runs, tables.parameters)
    result = prim(
        x,
        condition.holds(runs[condition.outcome]),
        condition,
        min_coverage=min_coverage,
        box=box,
        peel_alpha=peel_alpha,
        mass_min=mass_min,
    )
    folder = Path(out) if out is not None else Path(source) / "discovery" / slug(condition)
    paths: dict[str, Path] = {}
    caption = f"PRIM peeling trajectory for {condition.text}"
    paths["trajectory"] = write_table(result.trajectory, folder / "trajectory", caption=caption)[
        "csv"
    ]
    s = result.stats
    caption = (
        f"PRIM box {s['box']} for {condition.text}: coverage {s['coverage']:.2f}, density "
        f"{s['density']:.2f}, mass {s['mass']:.2f} ({s['cases_of_interest']} of {s['runs']} runs "
        "of interest); qp: quasi-p-value of each limit"
    )
    paths["box"] = write_table(result.box, folder / "box", caption=caption)["csv"]
    stats = pd.DataFrame([s])
    paths["stats"] = write_table(stats, folder / "stats", caption=caption)["csv"]
    from sim.report.plots.discovery import plot_box, plot_trajectory
    from sim.report.style import save_figure

    save_figure(plot_trajectory(result), folder / "trajectory")
    if not result.box.empty:
        save_figure(plot_box(result), folder / "box")
    paths["figure"] = folder / "trajectory.pdf"
    return result, paths
