"""Statistics for comparing policy variants across seeded simulation runs.

Runs of different variants that share a seed used common random numbers (CRN), so the
per-seed difference cancels most of the shared noise. `paired_compare` exploits that;
`unpaired_compare` ignores it (Welch) so reports can show how much pairing buys.

Only runs with ``status == "completed"`` are used (all rows if there is no ``status``
column); NaN outcome values are dropped per outcome.

Intervals (t and bootstrap) and the replicate verdict need at least `MIN_REPLICATES` runs
or pairs: from two, a t-interval rests on one degree of freedom and a bootstrap on three
distinct resamples, which reads as evidence and is not. Zero observed spread is not
precision either unless there are `MIN_ZERO_SPREAD` of them. The `note` column says why a
row has no interval or no verdict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

if TYPE_CHECKING:
    from pathlib import Path

    from pandas.core.groupby import SeriesGroupBy

    from sim.report.aggregate import SweepTables

FloatArray = npt.NDArray[np.float64]
Tolerance = float | Mapping[str, float] | None

DEFAULT_RELATIVE_TOLERANCE = 0.05
"""With ``tolerance=None`` the target CI half-width is 5% of |mean of the reference|."""

MIN_REPLICATES = 3
"""Fewest runs (or seed pairs) for an interval or a verdict on replicates."""
MIN_ZERO_SPREAD = 10
"""Fewest pairs whose identical differences may count as precise (else the sample is
too small to tell no variance from too few draws)."""
FEW_NOTE = f"fewer than {MIN_REPLICATES} {{unit}}: no interval"
ZERO_SPREAD_NOTE = f"no spread in fewer than {MIN_ZERO_SPREAD} {{unit}}: precision unknown"

COMPARE_COLUMNS = [
    "variant",
    "reference",
    "outcome",
    "n_pairs",
    "mean_reference",
    "mean_variant",
    "mean_diff",
    "sd_diff",
    "t_ci_low",
    "t_ci_high",
    "boot_ci_low",
    "boot_ci_high",
    "effect_size",
    "half_width",
    "tolerance",
    "enough_replicates",
    "replicates_needed",
    "note",
]
"""`t_ci_*`: Student t interval of the mean difference; `boot_ci_*`: percentile bootstrap
interval; `half_width` is the t interval's."""

_MAX_REPLICATES = 10**12  # beyond this "replicates needed" is reported as missing
_BOOT_CELLS = 4_000_000  # resample matrix cells drawn at once, to bound memory


# --------------------------------------------------------------------------- intervals


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def _t_quantile(confidence: float, df: float) -> float:
    """Two-sided Student t critical value for ``confidence`` and ``df`` degrees of freedom."""
    return float(sps.t.ppf(0.5 + confidence / 2.0, df))


def t_interval(
    mean: npt.ArrayLike, sd: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Vectorised Student t interval ``mean ± t_{n-1} sd/sqrt(n)``; NaN where n < 3
    (`MIN_REPLICATES`)."""
    _check_confidence(confidence)
    m = np.asarray(mean, dtype=float)
    s = np.asarray(sd, dtype=float)
    k = np.asarray(n, dtype=float)
    ok = k >= MIN_REPLICATES
    safe_k = np.where(ok, k, 2.0)
    half = sps.t.ppf(0.5 + confidence / 2.0, safe_k - 1.0) * s / np.sqrt(safe_k)
    half = np.where(ok, half, np.nan)
    return m - half, m + half


def mean_ci(values: npt.ArrayLike, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student t interval of ``values`` (NaNs ignored) as ``(mean, low, high)``.

    With fewer than `MIN_REPLICATES` values the bounds are NaN rather than an error, so
    plotting code can draw sparse groups without special cases.
    """
    x = np.asarray(values, dtype=float).ravel()
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if x.size >= 2 else math.nan
    low, high = t_interval(mean, sd, x.size, confidence)
    return mean, float(low), float(high)


# --------------------------------------------------------------------------- validation


def _as_list(names: str | Sequence[str]) -> list[str]:
    return [names] if isinstance(names, str) else list(names)


def _completed(runs: pd.DataFrame) -> pd.DataFrame:
    """Rows of completed runs: failed runs carry no valid outcomes."""
    if "status" not in runs.columns:
        return runs
    return runs.loc[runs["status"] == "completed"]


def _numeric_columns(runs: pd.DataFrame) -> list[str]:
    return [str(c) for c in runs.select_dtypes("number").columns if c != "seed"]


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} lacks column(s) {', '.join(map(repr, missing))}; "
            f"columns: {', '.join(map(str, frame.columns))}"
        )


def _check_outcomes(frame: pd.DataFrame, outcomes: Sequence[str]) -> None:
    numeric = _numeric_columns(frame)
    for outcome in outcomes:
        if outcome not in frame.columns or outcome not in numeric:
            problem = "is not numeric" if outcome in frame.columns else "not found"
            raise ValueError(
                f"outcome {outcome!r} {problem} in runs; numeric columns: {', '.join(numeric)}"
            )


def _completed_with(
    runs: pd.DataFrame, columns: Sequence[str], outcomes: Sequence[str]
) -> pd.DataFrame:
    """Validate columns and outcomes, then keep completed runs (error if none)."""
    _require_columns(runs, columns, "runs")
    done = _completed(runs)
    if done.empty:
        raise ValueError(f"no completed runs among {len(runs)} run(s)")
    _check_outcomes(done, outcomes)
    return done


# --------------------------------------------------------------------------- replicates


def _resolve_tolerance(tolerance: Tolerance, outcome: str, mean_reference: float) -> float:
    """Target CI half-width: a float, a per-outcome dict, or 5% of |reference mean|.

    Outcomes missing from a dict fall back to the relative 5% default.
    """
    chosen = tolerance.get(outcome) if isinstance(tolerance, Mapping) else tolerance
    if chosen is None:
        return DEFAULT_RELATIVE_TOLERANCE * abs(mean_reference)
    value = float(chosen)
    if value < 0 or math.isnan(value):
        raise ValueError(f"tolerance for {outcome!r} must be >= 0, got {chosen}")
    return value


def _replicates_needed(
    scale: float, tolerance: float, confidence: float, df_of_n: Callable[[int], float]
) -> int | None:
    """Smallest n >= 3 with ``t_{df(n)} * scale / sqrt(n) <= tolerance`` (None if unreachable).

    The half-width is decreasing in n, and since t > z the normal-theory n is a lower
    bound, so a galloping search from there needs only a few t evaluations. A scale of
    zero (no observed spread) asks for `MIN_ZERO_SPREAD`: it may only mean too few draws.
    """
    if not (math.isfinite(scale) and math.isfinite(tolerance)):
        return None
    if scale == 0:
        return MIN_ZERO_SPREAD
    if tolerance <= 0:
        return None

    def ok(n: int) -> bool:
        return _t_quantile(confidence, df_of_n(n)) * scale / math.sqrt(n) <= tolerance

    z = float(sps.norm.ppf(0.5 + confidence / 2.0))
    n = max(MIN_REPLICATES, math.ceil((z * scale / tolerance) ** 2) - 1)
    if n > _MAX_REPLICATES:
        return None
    if ok(n):
        return n
    step = 1
    while not ok(n + step):
        n += step
        step *= 2
        if n > _MAX_REPLICATES:
            return None
    low, high = n, n + step  # low fails, high passes
    while high - low > 1:
        mid = (low + high) // 2
        if ok(mid):
            high = mid
        else:
            low = mid
    return high


# --------------------------------------------------------------------------- bootstrap


def _bootstrap_means(values: FloatArray, n_boot: int, rng: np.random.Generator) -> FloatArray:
    """Means of ``n_boot`` resamples, drawn as index matrices (in memory-bounded blocks)."""
    n = values.size
    block = max(1, _BOOT_CELLS // n)
    parts = [
        values[rng.integers(0, n, size=(min(block, n_boot - start), n))].mean(axis=1)
        for start in range(0, n_boot, block)
    ]
    return np.concatenate(parts)


def _percentile_interval(draws: FloatArray, confidence: float) -> tuple[float, float]:
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(draws, [alpha, 1.0 - alpha])
    return float(low), float(high)


# --------------------------------------------------------------------------- comparisons


def _mean(x: FloatArray) -> float:
    return float(x.mean()) if x.size else math.nan


def _var(x: FloatArray) -> float:
    return float(x.var(ddof=1)) if x.size >= 2 else math.nan


def _finish_row(
    row: dict[str, float], tol: float, needed: int | None, unit: str
) -> dict[str, object]:
    """Add the derived CI, effect-size and replicate columns shared by both comparisons.

    "Enough replicates" needs `MIN_REPLICATES` pairs, and `MIN_ZERO_SPREAD` when the
    differences did not vary at all; `note` says which rule held a row back.
    """
    half, mean_diff, sd, n = row["half_width"], row["mean_diff"], row["sd_diff"], row["n_pairs"]
    note = ""
    if n < MIN_REPLICATES:
        note = FEW_NOTE.format(unit=unit)
    elif sd == 0 and n < MIN_ZERO_SPREAD:
        note = ZERO_SPREAD_NOTE.format(unit=unit)
    return {
        **row,
        "t_ci_low": mean_diff - half,
        "t_ci_high": mean_diff + half,
        "effect_size": mean_diff / sd if sd > 0 else math.nan,
        "tolerance": tol,
        "enough_replicates": bool(half <= tol) and not note,
        "replicates_needed": needed,
        "note": note,
    }


def _paired_row(
    ref: FloatArray,
    var: FloatArray,
    outcome: str,
    tolerance: Tolerance,
    confidence: float,
    n_boot: int,
    seed: int,
) -> dict[str, object]:
    diff = var - ref
    n = diff.size
    sd = math.sqrt(_var(diff))
    enough = n >= MIN_REPLICATES
    half = _t_quantile(confidence, n - 1) * sd / math.sqrt(n) if enough else math.nan
    boot = (math.nan, math.nan)
    if enough:
        draws = _bootstrap_means(diff, n_boot, np.random.default_rng(seed))
        boot = _percentile_interval(draws, confidence)
    mean_reference = _mean(ref)
    tol = _resolve_tolerance(tolerance, outcome, mean_reference)
    needed = _replicates_needed(sd, tol, confidence, lambda k: k - 1.0)
    row = {
        "n_pairs": n,
        "mean_reference": mean_reference,
        "mean_variant": _mean(var),
        "mean_diff": _mean(diff),
        "sd_diff": sd,
        "boot_ci_low": boot[0],
        "boot_ci_high": boot[1],
        "half_width": half,
    }
    return _finish_row(row, tol, needed, "pairs")


def _welch(v1: float, n1: int, v2: float, n2: int) -> tuple[float, float]:
    """Standard error of a difference of means and its Welch–Satterthwaite df."""
    a, b = v1 / n1, v2 / n2
    se = math.sqrt(a + b)
    denominator = a * a / (n1 - 1) + b * b / (n2 - 1)
    df = (a + b) ** 2 / denominator if denominator > 0 else math.inf
    return se, df


def _unpaired_row(
    ref: FloatArray,
    var: FloatArray,
    outcome: str,
    tolerance: Tolerance,
    confidence: float,
    n_boot: int,
    seed: int,
) -> dict[str, object]:
    n1, n2 = ref.size, var.size
    v1, v2 = _var(ref), _var(var)
    enough = min(n1, n2) >= MIN_REPLICATES
    half, boot = math.nan, (math.nan, math.nan)
    if enough:
        se, df = _welch(v1, n1, v2, n2)
        half = _t_quantile(confidence, df) * se if se > 0 else 0.0
        rng = np.random.default_rng(seed)
        draws = _bootstrap_means(var, n_boot, rng) - _bootstrap_means(ref, n_boot, rng)
        boot = _percentile_interval(draws, confidence)
    mean_reference = _mean(ref)
    tol = _resolve_tolerance(tolerance, outcome, mean_reference)
    # With n runs per arm: half-width = t_df * sqrt(v1 + v2) / sqrt(n), df from Welch.
    ratio = (v1 + v2) ** 2 / (v1 * v1 + v2 * v2) if enough and v1 + v2 > 0 else 1.0
    needed = _replicates_needed(math.sqrt(v1 + v2), tol, confidence, lambda k: (k - 1.0) * ratio)
    row = {
        "n_pairs": min(n1, n2),
        "mean_reference": mean_reference,
        "mean_variant": _mean(var),
        "mean_diff": _mean(var) - mean_reference,
        "sd_diff": math.sqrt((v1 + v2) / 2.0),  # average-variance SD: Cohen's d_av
        "boot_ci_low": boot[0],
        "boot_ci_high": boot[1],
        "half_width": half,
    }
    return _finish_row(row, tol, needed, "runs per variant")


def _one_per_seed(rows: pd.DataFrame, outcome: str, label: object) -> pd.DataFrame:
    values = rows[["seed", outcome]].dropna(subset=[outcome])
    duplicated = values["seed"][values["seed"].duplicated()].unique()
    if len(duplicated):
        seeds = ", ".join(map(str, sorted(duplicated)[:5]))
        raise ValueError(
            f"{label!r} has several completed runs for seed(s) {seeds}; "
            "pairing needs one run per seed (filter runs or compare by a finer column)"
        )
    return values


def _paired_values(
    ref_rows: pd.DataFrame, var_rows: pd.DataFrame, outcome: str, labels: tuple[object, object]
) -> tuple[FloatArray, FloatArray]:
    """Outcome values of seeds present (and non-NaN) on both sides, aligned by seed."""
    left = _one_per_seed(ref_rows, outcome, labels[0])
    right = _one_per_seed(var_rows, outcome, labels[1])
    merged = left.merge(right, on="seed", how="inner", suffixes=("_ref", "_var"))
    merged = merged.sort_values("seed")
    ref = merged[f"{outcome}_ref"].to_numpy(dtype=float)
    var = merged[f"{outcome}_var"].to_numpy(dtype=float)
    return ref, var


def _unpaired_values(
    ref_rows: pd.DataFrame, var_rows: pd.DataFrame, outcome: str, labels: tuple[object, object]
) -> tuple[FloatArray, FloatArray]:
    ref = ref_rows[outcome].dropna().to_numpy(dtype=float)
    var = var_rows[outcome].dropna().to_numpy(dtype=float)
    return ref, var


RowFn = Callable[[FloatArray, FloatArray, str, Tolerance, float, int, int], dict[str, object]]
ValuesFn = Callable[
    [pd.DataFrame, pd.DataFrame, str, tuple[object, object]], tuple[FloatArray, FloatArray]
]


def _compare(
    runs: pd.DataFrame,
    reference: str,
    outcomes: str | Sequence[str],
    *,
    by: str,
    tolerance: Tolerance,
    confidence: float,
    n_boot: int,
    seed: int,
    values_fn: ValuesFn,
    row_fn: RowFn,
    needs_seed: bool,
) -> pd.DataFrame:
    """Shared driver: validate, then one row per (non-reference group, outcome)."""
    _check_confidence(confidence)
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    outcome_list = _as_list(outcomes)
    done = _completed_with(runs, [by, "seed"] if needs_seed else [by], outcome_list)
    groups = list(pd.unique(done[by]))
    if reference not in groups:
        present = ", ".join(sorted(map(str, groups)))
        raise ValueError(f"reference {reference!r} not found in column {by!r}; present: {present}")
    ref_rows = done.loc[done[by] == reference]
    rows: list[dict[str, object]] = []
    for group in groups:
        if group == reference:
            continue
        var_rows = done.loc[done[by] == group]
        for outcome in outcome_list:
            ref, var = values_fn(ref_rows, var_rows, outcome, (reference, group))
            stats = row_fn(ref, var, outcome, tolerance, confidence, n_boot, seed)
            rows.append({"variant": group, "reference": reference, "outcome": outcome, **stats})
    table = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    table["n_pairs"] = table["n_pairs"].astype("int64")
    table["enough_replicates"] = table["enough_replicates"].astype(bool)
    table["replicates_needed"] = table["replicates_needed"].astype("Int64")
    return table


def paired_compare(
    runs: pd.DataFrame,
    reference: str,
    outcomes: str | Sequence[str],
    *,
    by: str = "variant",
    tolerance: Tolerance = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Compare each group of ``by`` with ``reference`` on per-seed differences (CRN pairing).

    Seeds missing on either side (or with a NaN outcome) are dropped; means are over the
    paired seeds only. ``t_ci_*`` is the Student t interval of the mean difference,
    ``boot_ci_*`` the percentile bootstrap (resamples seeded by ``seed``); both need
    `MIN_REPLICATES` pairs, and ``note`` says when a row has none. ``effect_size`` is
    Cohen's d_z. ``tolerance`` is the target CI half-width: a float, ``{outcome: float}``
    or None for 5% of |mean_reference|. ``replicates_needed`` is the smallest number of
    pairs n with ``t_{n-1} * sd_diff / sqrt(n) <= tolerance``. Columns: ``COMPARE_COLUMNS``.
    """
    return _compare(
        runs,
        reference,
        outcomes,
        by=by,
        tolerance=tolerance,
        confidence=confidence,
        n_boot=n_boot,
        seed=seed,
        values_fn=_paired_values,
        row_fn=_paired_row,
        needs_seed=True,
    )


def unpaired_compare(
    runs: pd.DataFrame,
    reference: str,
    outcomes: str | Sequence[str],
    *,
    by: str = "variant",
    tolerance: Tolerance = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Like `paired_compare` but treating the groups as independent samples.

    Uses every completed run (no seed matching): Welch t interval of the difference of
    means, bootstrap resampling each group separately. ``n_pairs`` is the smaller group
    size, ``sd_diff`` the average-variance SD sqrt((s_ref² + s_var²)/2) so ``effect_size``
    is Cohen's d_av, and ``replicates_needed`` counts runs per group. Exists so reports can
    show how much CRN pairing narrows the interval.
    """
    return _compare(
        runs,
        reference,
        outcomes,
        by=by,
        tolerance=tolerance,
        confidence=confidence,
        n_boot=n_boot,
        seed=seed,
        values_fn=_unpaired_values,
        row_fn=_unpaired_row,
        needs_seed=False,
    )


# --------------------------------------------------------------------------- summaries


def _group_moments(grouped: SeriesGroupBy[Any, Any], confidence: float) -> pd.DataFrame:
    """n, mean, sd and t interval per group, indexed by the group keys."""
    moments = pd.DataFrame({"n": grouped.count(), "mean": grouped.mean(), "sd": grouped.std()})
    low, high = t_interval(moments["mean"], moments["sd"], moments["n"], confidence)
    moments["ci_low"] = low
    moments["ci_high"] = high
    return moments


def summarise(
    runs: pd.DataFrame,
    outcomes: str | Sequence[str],
    *,
    by: str | Sequence[str] = "scenario",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per group and outcome: n, mean, sd, t interval, median and 5%/95% quantiles.

    Columns: ``by`` column(s), outcome, n, mean, sd, t_ci_low, t_ci_high (the Student t
    interval of the mean; NaN below `MIN_REPLICATES` runs), median, q05, q95, note.
    """
    _check_confidence(confidence)
    keys = _as_list(by)
    outcome_list = _as_list(outcomes)
    done = _completed_with(runs, keys, outcome_list)
    long = done.melt(id_vars=keys, value_vars=outcome_list, var_name="outcome")
    long = long.dropna(subset=["value"])
    long["value"] = long["value"].astype(float)
    long["outcome"] = pd.Categorical(long["outcome"], categories=outcome_list)
    grouped = long.groupby([*keys, "outcome"], observed=True, dropna=False)["value"]
    moments = _group_moments(grouped, confidence)
    moments["median"] = grouped.median()
    moments["q05"] = grouped.quantile(0.05)
    moments["q95"] = grouped.quantile(0.95)
    table = moments.reset_index().rename(columns={"ci_low": "t_ci_low", "ci_high": "t_ci_high"})
    table["outcome"] = table["outcome"].astype(str)
    few = FEW_NOTE.format(unit="runs")
    table["note"] = np.where(table["n"] < MIN_REPLICATES, few, "")
    columns = ["n", "mean", "sd", "t_ci_low", "t_ci_high", "median", "q05", "q95", "note"]
    return table[[*keys, "outcome", *columns]]


def timeseries_band(
    ts: pd.DataFrame,
    outcome: str,
    *,
    by: str | Sequence[str] = "scenario",
    step: str = "step",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean and t interval across seeds at each step, for mean ± CI band plots.

    ``ts`` holds one row per (group, seed, step). Columns: ``by`` column(s), ``step``,
    n, mean, ci_low, ci_high.
    """
    _check_confidence(confidence)
    keys = [*_as_list(by), step]
    data = _completed_with(ts, keys, [outcome])
    data = data[[*keys, outcome]].dropna(subset=[outcome])
    grouped = data.groupby(keys, dropna=False)[outcome]
    table = _group_moments(grouped, confidence).reset_index()
    return table[[*keys, "n", "mean", "ci_low", "ci_high"]]


def default_outcomes(tables: SweepTables) -> list[str]:
    """Numeric outcomes that vary across completed runs (constant ones have nothing to say)."""
    done = tables.completed
    out = []
    for o in tables.outcomes:
        if o not in done:
            continue
        column = done[o]
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        if numeric and column.nunique(dropna=True) > 1:
            out.append(o)
    return out


def compare(
    source: str | Path | SweepTables | pd.DataFrame,
    reference: str,
    outcomes: Sequence[str] | None = None,
    *,
    by: str = "variant",
    paired: bool = True,
    tolerance: float | Mapping[str, float] | None = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Every variant against `reference`, paired by seed (CRN) or, with paired=False, Welch.

    Columns: `sim.report.stats.COMPARE_COLUMNS` (mean difference, t and bootstrap CIs,
    effect size, number of pairs, half-width against the tolerance, enough_replicates).
    """
    from sim.report.aggregate import SweepTables, load  # noqa: F811  (at run time)

    if isinstance(source, pd.DataFrame):
        runs, chosen = source, list(outcomes or [])
    else:
        tables = source if isinstance(source, SweepTables) else load(source)
        runs, chosen = tables.runs, list(outcomes or default_outcomes(tables))
    if by not in runs.columns:
        raise ValueError(
            f"runs have no column {by!r}; columns: {', '.join(map(str, runs.columns))}"
        )
    names = list(dict.fromkeys(runs[by].dropna().astype(str)))
    if reference not in names:
        alias = reference.removeprefix("scenario=")
        if alias not in names:
            raise ValueError(
                f"reference {reference!r} is not a {by}; choose one of: {', '.join(names)}"
            )
        reference = alias
    if not chosen:
        raise ValueError("no outcome varies across the completed runs; pass outcomes explicitly")
    fn = paired_compare if paired else unpaired_compare
    return fn(
        runs,
        reference,
        chosen,
        by=by,
        tolerance=tolerance,
        confidence=confidence,
        n_boot=n_boot,
        seed=seed,
    )
