"""Tests for sim.report.stats (paired/unpaired comparisons, summaries) and sim.report.tables."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.report.stats import (
    COMPARE_COLUMNS,
    mean_ci,
    paired_compare,
    summarise,
    timeseries_band,
    unpaired_compare,
)
from sim.report.tables import to_latex_booktabs, to_markdown, write_table

TRUE_DIFF = 2.0


def crn_runs(n_seeds: int = 40, rng_seed: int = 7) -> pd.DataFrame:
    """Runs where each seed shares large noise across variants (common random numbers)."""
    rng = np.random.default_rng(rng_seed)
    shared = rng.normal(0.0, 5.0, n_seeds)
    rows = []
    for variant, effect in [("baseline", 0.0), ("party_building", TRUE_DIFF)]:
        own = rng.normal(0.0, 0.5, n_seeds)
        for seed in range(n_seeds):
            rows.append(
                {
                    "run_id": f"{variant}-{seed}",
                    "scenario": "chengdu",
                    "variant": variant,
                    "seed": seed,
                    "status": "completed",
                    "policy.party.building_coverage": 0.8 if effect else 0.2,
                    "petitions": 50.0 + effect + shared[seed] + own[seed],
                    "resolution_rate": 0.6 + 0.01 * effect + 0.02 * rng.normal(),
                }
            )
    return pd.DataFrame(rows)


def tiny_runs(ref: list[float], var: list[float]) -> pd.DataFrame:
    rows = [
        {"variant": name, "seed": seed, "status": "completed", "y": value}
        for name, values in [("ref", ref), ("var", var)]
        for seed, value in enumerate(values)
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- comparisons


def test_paired_interval_is_narrower_than_unpaired_and_both_cover_truth() -> None:
    runs = crn_runs()
    paired = paired_compare(runs, "baseline", "petitions").iloc[0]
    unpaired = unpaired_compare(runs, "baseline", "petitions").iloc[0]

    paired_width = paired.t_ci_high - paired.t_ci_low
    unpaired_width = unpaired.t_ci_high - unpaired.t_ci_low
    assert paired_width < unpaired_width / 5  # shared noise sd 5 vs own noise sd 0.5
    for row in (paired, unpaired):
        assert row.t_ci_low < TRUE_DIFF < row.t_ci_high
        assert row.boot_ci_low < TRUE_DIFF < row.boot_ci_high
    assert paired.mean_diff == pytest.approx(unpaired.mean_diff)  # same seeds on both sides
    assert paired.replicates_needed < unpaired.replicates_needed


def test_output_columns_and_one_row_per_variant_and_outcome() -> None:
    runs = crn_runs()
    extra = runs[runs.variant == "party_building"].assign(variant="grid_management")
    table = paired_compare(pd.concat([runs, extra]), "baseline", ["petitions", "resolution_rate"])
    assert list(table.columns) == COMPARE_COLUMNS
    assert list(zip(table.variant, table.outcome, strict=True)) == [
        ("party_building", "petitions"),
        ("party_building", "resolution_rate"),
        ("grid_management", "petitions"),
        ("grid_management", "resolution_rate"),
    ]


def test_paired_t_interval_matches_scipy_on_tiny_example() -> None:
    ref, var = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 3.0, 7.0]
    row = paired_compare(tiny_runs(ref, var), "ref", "y").iloc[0]

    diffs = np.array(var) - np.array(ref)  # [1, 2, 0, 3]
    sd = math.sqrt(5.0 / 3.0)
    half = sps.t.ppf(0.975, df=3) * sd / 2.0
    assert row.n_pairs == 4
    assert row.mean_diff == pytest.approx(1.5)
    assert row.sd_diff == pytest.approx(sd)
    assert row.half_width == pytest.approx(half)
    assert (row.t_ci_low, row.t_ci_high) == pytest.approx((1.5 - half, 1.5 + half))
    assert row.effect_size == pytest.approx(1.5 / sd)
    expected = sps.ttest_1samp(diffs, 0.0).confidence_interval(0.95)
    assert (row.t_ci_low, row.t_ci_high) == pytest.approx((expected.low, expected.high))


def test_unpaired_welch_interval_matches_scipy() -> None:
    ref, var = [1.0, 2.0, 3.0, 4.0, 9.0], [2.0, 4.0, 3.0, 7.0, 4.5]
    row = unpaired_compare(tiny_runs(ref, var), "ref", "y", confidence=0.9).iloc[0]
    expected = sps.ttest_ind(var, ref, equal_var=False).confidence_interval(0.9)
    assert (row.t_ci_low, row.t_ci_high) == pytest.approx((expected.low, expected.high))
    assert row.mean_diff == pytest.approx(np.mean(var) - np.mean(ref))
    assert row.n_pairs == 5


def test_mean_ci_matches_scipy_interval() -> None:
    values = [3.0, 1.0, 4.0, 1.0, 5.0, float("nan")]
    mean, low, high = mean_ci(values, 0.9)
    clean = np.array(values[:-1])
    expected = sps.t.interval(0.9, df=4, loc=clean.mean(), scale=sps.sem(clean))
    assert mean == pytest.approx(clean.mean())
    assert (low, high) == pytest.approx(expected)
    assert math.isnan(mean_ci([2.0], 0.95)[1])
    assert all(math.isnan(v) for v in mean_ci([], 0.95))


def test_bootstrap_is_deterministic_in_seed() -> None:
    runs = crn_runs()
    first = paired_compare(runs, "baseline", "petitions", seed=3)
    again = paired_compare(runs, "baseline", "petitions", seed=3)
    other = paired_compare(runs, "baseline", "petitions", seed=4)
    pd.testing.assert_frame_equal(first, again)
    assert (first.boot_ci_low[0], first.boot_ci_high[0]) != (
        other.boot_ci_low[0],
        other.boot_ci_high[0],
    )
    # With 40 pairs the percentile bootstrap lands close to the t interval.
    assert first.boot_ci_low[0] == pytest.approx(first.t_ci_low[0], abs=0.1)
    assert first.boot_ci_high[0] == pytest.approx(first.t_ci_high[0], abs=0.1)
    unpaired = unpaired_compare(runs, "baseline", "petitions", seed=3)
    pd.testing.assert_frame_equal(unpaired, unpaired_compare(runs, "baseline", "petitions", seed=3))


def test_replicates_needed_is_monotone_and_minimal() -> None:
    runs = crn_runs()
    tolerances = [2.0, 1.0, 0.5, 0.2, 0.1, 0.05]
    needed = [
        int(paired_compare(runs, "baseline", "petitions", tolerance=t).replicates_needed[0])
        for t in tolerances
    ]
    assert needed == sorted(needed)
    assert needed[-1] > 10 * needed[2]

    row = paired_compare(runs, "baseline", "petitions", tolerance=0.1).iloc[0]
    n = int(row.replicates_needed)

    def half_width(k: int) -> float:
        return float(sps.t.ppf(0.975, k - 1) * row.sd_diff / math.sqrt(k))

    assert half_width(n) <= 0.1 < half_width(n - 1)


def test_tolerance_forms_and_enough_replicates() -> None:
    runs = crn_runs()
    outcomes = ["petitions", "resolution_rate"]
    default = paired_compare(runs, "baseline", outcomes)
    assert default.tolerance.to_numpy() == pytest.approx(0.05 * default.mean_reference.abs())

    by_outcome = paired_compare(
        runs, "baseline", outcomes, tolerance={"petitions": 10.0, "resolution_rate": 1e-4}
    )
    assert by_outcome.tolerance.tolist() == [10.0, 1e-4]
    assert by_outcome.enough_replicates.tolist() == [True, False]
    assert by_outcome.replicates_needed[1] > len(runs) // 2

    with pytest.raises(ValueError, match="tolerance"):
        paired_compare(runs, "baseline", "petitions", tolerance=-1.0)


def test_failed_runs_missing_seeds_and_nan_outcomes_are_dropped() -> None:
    runs = crn_runs(n_seeds=10)
    failed = (runs.variant == "party_building") & (runs.seed == 0)
    runs.loc[failed, "status"] = "failed"
    runs.loc[(runs.variant == "baseline") & (runs.seed == 1), "petitions"] = np.nan
    runs = runs[~((runs.variant == "baseline") & (runs.seed == 2))]

    row = paired_compare(runs, "baseline", "petitions").iloc[0]
    assert row.n_pairs == 7  # seeds 0 (failed), 1 (NaN) and 2 (missing) dropped
    kept = crn_runs(n_seeds=10)
    kept = kept[kept.seed >= 3]
    expected = paired_compare(kept, "baseline", "petitions").iloc[0]
    assert row.mean_diff == pytest.approx(expected.mean_diff)
    assert row.mean_reference == pytest.approx(expected.mean_reference)


def test_fewer_than_two_pairs_gives_nan_intervals() -> None:
    one = paired_compare(tiny_runs([1.0], [2.0]), "ref", "y").iloc[0]
    assert one.n_pairs == 1
    assert one.mean_diff == 1.0
    for column in (
        "t_ci_low",
        "t_ci_high",
        "boot_ci_low",
        "boot_ci_high",
        "half_width",
        "effect_size",
    ):
        assert math.isnan(one[column])
    assert not one.enough_replicates
    assert pd.isna(one.replicates_needed)

    disjoint = tiny_runs([1.0, 2.0], [5.0, 6.0])
    disjoint.loc[disjoint.variant == "var", "seed"] += 10  # no seed in common
    empty = paired_compare(disjoint, "ref", "y").iloc[0]
    assert empty.n_pairs == 0 and math.isnan(empty.mean_diff) and math.isnan(empty.t_ci_low)
    unpaired = unpaired_compare(tiny_runs([1.0], [2.0, 3.0]), "ref", "y").iloc[0]
    assert unpaired.n_pairs == 1 and math.isnan(unpaired.t_ci_low)


def test_zero_spread_in_fewer_than_ten_pairs_is_never_called_enough_replicates() -> None:
    row = paired_compare(tiny_runs([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]), "ref", "y").iloc[0]
    assert (row.t_ci_low, row.t_ci_high) == (1.0, 1.0)
    assert math.isnan(row.effect_size)
    assert not row.enough_replicates and row.replicates_needed == 10
    assert row.note == "no spread in fewer than 10 pairs: precision unknown"
    ten = paired_compare(tiny_runs(list(range(10)), list(range(1, 11))), "ref", "y").iloc[0]
    assert ten.enough_replicates and ten.note == ""


def test_two_pairs_give_no_interval_and_no_verdict_and_say_so() -> None:
    ref, var = [1.0, 2.0], [2.0, 4.5]
    two = paired_compare(tiny_runs(ref, var), "ref", "y", tolerance=100.0).iloc[0]
    assert two.n_pairs == 2 and two.mean_diff == pytest.approx(1.75)
    for column in ("t_ci_low", "t_ci_high", "boot_ci_low", "boot_ci_high", "half_width"):
        assert math.isnan(two[column]), column
    assert not two.enough_replicates and two.replicates_needed >= 3
    assert two.note == "fewer than 3 pairs: no interval"
    unpaired = unpaired_compare(tiny_runs(ref, var), "ref", "y", tolerance=100.0).iloc[0]
    assert math.isnan(unpaired.t_ci_low) and not unpaired.enough_replicates
    assert unpaired.note == "fewer than 3 runs per variant: no interval"
    three = paired_compare(tiny_runs([*ref, 3.0], [*var, 3.5]), "ref", "y").iloc[0]
    assert np.isfinite([three.t_ci_low, three.boot_ci_low]).all() and three.note == ""
    summary = summarise(tiny_runs(ref, var), "y", by="variant")
    assert summary["t_ci_low"].isna().all()
    assert set(summary["note"]) == {"fewer than 3 runs: no interval"}
    assert math.isnan(mean_ci([1.0, 2.0])[1])


def test_compare_table_names_its_reference_and_both_interval_kinds() -> None:
    table = paired_compare(crn_runs(n_seeds=5), "baseline", "petitions")
    assert set(table["reference"]) == {"baseline"}
    assert {"t_ci_low", "t_ci_high", "boot_ci_low", "boot_ci_high"} <= set(table.columns)
    assert not {"ci_low", "boot_low"} & set(table.columns)


# --------------------------------------------------------------------------- errors


def test_unknown_reference_lists_present_values() -> None:
    with pytest.raises(ValueError, match=r"'status_quo'.*present: baseline, party_building"):
        paired_compare(crn_runs(), "status_quo", "petitions")


def test_missing_outcome_lists_numeric_columns() -> None:
    with pytest.raises(ValueError, match=r"'petition'.*numeric columns:.*petitions"):
        paired_compare(crn_runs(), "baseline", "petition")
    with pytest.raises(ValueError, match="not numeric"):
        unpaired_compare(crn_runs(), "baseline", "scenario")


def test_no_completed_runs() -> None:
    runs = crn_runs().assign(status="failed")
    with pytest.raises(ValueError, match="no completed runs"):
        paired_compare(runs, "baseline", "petitions")
    with pytest.raises(ValueError, match="no completed runs"):
        summarise(runs, "petitions")


def test_duplicate_seeds_cannot_be_paired() -> None:
    runs = crn_runs()
    doubled = pd.concat([runs, runs[runs.variant == "party_building"]])
    with pytest.raises(ValueError, match="'party_building'.*one run per seed"):
        paired_compare(doubled, "baseline", "petitions")


# --------------------------------------------------------------------------- summaries


def test_summarise_matches_numpy() -> None:
    runs = crn_runs()
    table = summarise(runs, ["petitions", "resolution_rate"], by="variant", confidence=0.9)
    assert list(table.columns) == [
        "variant", "outcome", "n", "mean", "sd", "t_ci_low", "t_ci_high", "median", "q05", "q95",
        "note",
    ]  # fmt: skip
    row = table[(table.variant == "baseline") & (table.outcome == "petitions")].iloc[0]
    values = runs.loc[runs.variant == "baseline", "petitions"].to_numpy()
    assert row.n == 40
    assert row["mean"] == pytest.approx(values.mean())
    assert row.sd == pytest.approx(values.std(ddof=1))
    assert row["median"] == pytest.approx(np.median(values))
    assert (row.q05, row.q95) == pytest.approx(tuple(np.quantile(values, [0.05, 0.95])))
    assert (row.t_ci_low, row.t_ci_high) == pytest.approx(mean_ci(values, 0.9)[1:])


def test_timeseries_band_per_step() -> None:
    ts = pd.DataFrame(
        [
            {"scenario": s, "seed": seed, "step": step, "grievance": step + seed + (s == "b")}
            for s in ("a", "b")
            for seed in range(4)
            for step in range(3)
        ]
    )
    band = timeseries_band(ts, "grievance")
    assert list(band.columns) == ["scenario", "step", "n", "mean", "ci_low", "ci_high"]
    assert len(band) == 6
    row = band[(band.scenario == "b") & (band.step == 2)].iloc[0]
    mean, low, high = mean_ci([3.0, 4.0, 5.0, 6.0])
    assert (row.n, row["mean"], row.ci_low, row.ci_high) == pytest.approx((4, mean, low, high))


# --------------------------------------------------------------------------- tables


def sample_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": ["share_at_or_below_community", "50% | petitions"],
            "mean_diff": [0.123456, float("nan")],
            "n_pairs": [40, 3],
        }
    )


def test_markdown_pipe_table() -> None:
    text = to_markdown(sample_table())
    lines = text.splitlines()
    assert lines[0] == "| outcome | mean_diff | n_pairs |"
    assert lines[1] == "| --- | ---: | ---: |"
    assert lines[2] == "| share_at_or_below_community | 0.123 | 40 |"
    assert lines[3] == r"| 50% \| petitions | NA | 3 |"


def test_latex_booktabs_escapes_specials() -> None:
    text = to_latex_booktabs(sample_table(), caption="Paired 95% CI", label="tab:paired")
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert text.count(rule) == 1
    assert text.index(r"\toprule") < text.index(r"\midrule") < text.index(r"\bottomrule")
    assert r"\begin{tabular}{lrr}" in text
    assert r"outcome & mean\_diff & n\_pairs \\" in text
    assert r"share\_at\_or\_below\_community & 0.123 & 40 \\" in text
    assert r"50\% | petitions" in text
    assert r"\caption{Paired 95\% CI}" in text
    assert r"\label{tab:paired}" in text
    assert "_" not in text.replace(r"\_", "")
    assert "%" not in text.replace(r"\%", "")


def test_write_table_writes_three_files_atomically(tmp_path: Path) -> None:
    table = sample_table()
    paths = write_table(table, tmp_path / "out" / "paired.v1")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "paired.v1.csv",
        "paired.v1.md",
        "paired.v1.tex",
    ]
    assert paths["md"].read_text() == to_markdown(table)
    assert paths["tex"].read_text() == to_latex_booktabs(table)
    pd.testing.assert_frame_equal(pd.read_csv(paths["csv"]), table, check_dtype=False)
