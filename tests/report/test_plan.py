"""`jiceng-report` figures: what is drawn equals the sweep's tables, and bad folders fail clearly.

One real smoke sweep (the `smoke` experiment, run once per module) feeds most tests; a tiny
2 x 2 grid and a synthetic sensitivity index table cover the heatmap and the Morris/Sobol
figures without their full sweeps.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from PIL import Image

from sim.io import write_run
from sim.report import AggregateError, compare, figures, load, loading, stats
from sim.report import cli as report_cli
from sim.report import plan as report_plan
from sim.report.labels import ENDING_LABELS as TIER_LABELS
from sim.report.labels import ENDINGS as TIERS
from sim.report.plots.tiers import TIER_COLUMNS
from sim.report.style import Width
from sim.run import run

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped `smoke` experiment with 3 seeds (intervals need 3), run for real (6 runs)."""
    root = tmp_path_factory.mktemp("smoke") / "sweep"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "experiment=smoke",
            "seed=range(0,3)",
            f"hydra.sweep.dir={root}",
        ],  # fmt: skip
        cwd=root.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return root


@pytest.fixture(scope="module")
def smoke_plan(smoke: Path) -> tuple[loading.Sweep, report_plan.Plan]:
    sweep = loading.load_sweep(smoke)
    return sweep, report_plan.plan_report(sweep)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("report"))
    return dst


def _planned(plan: report_plan.Plan, name: str) -> report_plan.Planned:
    found = [p for p in plan.figures if p.name == name]
    assert found, f"{name} not planned; planned: {[p.name for p in plan.figures]}"
    return found[0]


def _draw(plan: report_plan.Plan, name: str, width: Width = "single") -> Figure:
    return _planned(plan, name).draw(width)


def _xy(line: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def _by_gid(fig: Figure, gid: str) -> list[Any]:
    return [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]


# ------------------------------------------------------------------ what is planned


def test_smoke_sweep_gets_every_applicable_figure(
    smoke_plan: tuple[loading.Sweep, report_plan.Plan],
) -> None:
    _, plan = smoke_plan
    names = [p.name for p in plan.figures]
    assert names == [
        "timeseries",
        "forest",
        "tier_shares",
        "resolution_ecdf",
        "network_trust",
        "network_participation",
    ]
    assert plan.reference == "chengdu_2014"  # the default reference when present


# ------------------------------------------------------------------ drawn values


def test_timeseries_lines_and_bands_equal_the_band_table(
    smoke_plan: tuple[loading.Sweep, report_plan.Plan],
) -> None:
    sweep, plan = smoke_plan
    fig = _draw(plan, "timeseries")
    outcomes = [o for o in figures.TIMESERIES_OUTCOMES if o in sweep.timeseries]
    panels = [ax for ax in fig.axes if ax.get_lines()]
    assert len(panels) == len(outcomes)
    for ax, outcome in zip(panels, outcomes, strict=True):
        # an independent implementation of the band (sim.report.stats, not the plot helper)
        band = stats.timeseries_band(sweep.timeseries, outcome, by="scenario")
        for scenario, rows in band.groupby("scenario"):
            (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == f"mean:{scenario}"]
            np.testing.assert_allclose(_xy(line)[0], rows["step"])
            np.testing.assert_allclose(_xy(line)[1], rows["mean"], equal_nan=True)
            (poly,) = [c for c in ax.collections if c.get_gid() == f"band:{scenario}"]
            assert isinstance(poly, PolyCollection)
            ys = np.concatenate([np.asarray(p.vertices)[:, 1] for p in poly.get_paths()])
            ok = rows.dropna(subset=["ci_low"])
            assert np.isclose(ys.min(), ok["ci_low"].min())
            assert np.isclose(ys.max(), ok["ci_high"].max())
            assert rows["n"].max() == 3  # three seeds per scenario


def test_forest_intervals_equal_compare(
    smoke: Path, smoke_plan: tuple[loading.Sweep, report_plan.Plan]
) -> None:
    _, plan = smoke_plan
    fig = _draw(plan, "forest")
    assert plan.comparisons is not None
    outcomes = [o for o in report_plan.FOREST_OUTCOMES if o in set(plan.comparisons["outcome"])]
    expected = compare(load(smoke), "chengdu_2014", outcomes).set_index("outcome")
    panels = [ax for ax in fig.axes if any(c.get_gid() == "mean_diff" for c in ax.collections)]
    assert len(panels) == len(outcomes)
    for ax, outcome in zip(panels, outcomes, strict=True):
        (ci,) = [c for c in ax.collections if c.get_gid() == "interval:ci"]
        assert isinstance(ci, LineCollection)
        segment = np.asarray(ci.get_segments()[0])
        row = expected.loc[outcome]
        np.testing.assert_allclose(segment[:, 0], [row["t_ci_low"], row["t_ci_high"]])
        (dots,) = [c for c in ax.collections if c.get_gid() == "mean_diff"]
        assert isinstance(dots, PathCollection)
        np.testing.assert_allclose(np.asarray(dots.get_offsets())[0, 0], row["mean_diff"])
    labels = [t.get_text() for t in panels[0].get_yticklabels()]
    assert labels == ["Baseline 2008 (n=3)"]


def test_tier_bars_are_mean_shares_of_completed_runs(
    smoke: Path, smoke_plan: tuple[loading.Sweep, report_plan.Plan]
) -> None:
    _, plan = smoke_plan
    fig = _draw(plan, "tier_shares")
    runs = pd.read_parquet(smoke / "runs.parquet")
    done = runs[runs["status"] == "completed"]
    assert set(TIER_COLUMNS) <= set(done.columns)  # the plot's names match the real columns
    expected = done.groupby("scenario")[TIER_COLUMNS].mean()
    (ax,) = fig.axes
    rows = [t.get_text().split(" (n=")[0] for t in ax.get_yticklabels()]
    scenarios = {"Chengdu 2014": "chengdu_2014", "Baseline 2008": "baseline_2008"}
    assert set(rows) == set(scenarios)
    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    for tier in TIERS:
        (bars,) = [c for c in containers if c.get_label() == TIER_LABELS[tier]]
        for patch, row in zip(bars.patches, rows, strict=True):
            assert patch.get_width() == pytest.approx(expected.loc[scenarios[row], f"ended_{tier}"])
    for row, patch in zip(rows, containers[-1].patches, strict=True):
        assert patch.get_x() + patch.get_width() == pytest.approx(1.0), row


def test_ecdf_counts_the_closed_disputes_of_each_scenario(
    smoke: Path, smoke_plan: tuple[loading.Sweep, report_plan.Plan]
) -> None:
    _, plan = smoke_plan
    fig = _draw(plan, "resolution_ecdf")
    for scenario in ("chengdu_2014", "baseline_2008"):
        times = []
        for folder in smoke.glob(f"scenario={scenario},*"):
            d = pd.read_parquet(folder / "disputes.parquet")
            cohort = (d["outcome"] != "open") & ~d["carried_over"]  # arose from week 0 on
            times.append(d.loc[cohort, "time_to_resolution"].dropna())
        expected = np.sort(pd.concat(times).to_numpy())
        (line,) = _by_gid(fig, f"ecdf:{scenario}")
        y = np.asarray(line.get_ydata())
        x = np.asarray(line.get_xdata())
        assert y[-1] == 1.0 and len(y) == len(expected) + 1
        np.testing.assert_allclose(x[1:], expected)
        assert f"(n={len(expected)})" in line.get_label()


def test_network_is_deterministic_and_shows_whole_courtyards(
    smoke_plan: tuple[loading.Sweep, report_plan.Plan],
) -> None:
    sweep, plan = smoke_plan
    first, second = (_draw(plan, "network_trust") for _ in range(2))
    (a,) = _by_gid(first, "nodes")
    (b,) = _by_gid(second, "nodes")
    np.testing.assert_array_equal(a.get_offsets(), b.get_offsets())
    folder = sweep.folder(str(sweep.done.iloc[0]["run"]))
    nodes = pd.read_parquet(folder / "network_nodes.parquet")
    shown = len(a.get_offsets())
    assert 0 < shown <= figures.NETWORK_MAX_NODES
    sizes = nodes.groupby("courtyard").size().sort_index().cumsum()
    assert shown in set(sizes)  # a prefix of whole courtyards
    trust = nodes.sort_values("resident")["trust_party"].to_numpy()[:shown]
    np.testing.assert_allclose(a.get_array(), trust, rtol=1e-6)
    part = _draw(plan, "network_participation")
    assert part.legends and "took part" in part.legends[0].get_texts()[1].get_text()


# ------------------------------------------------------------------ the report folder


def test_report_files_captions_and_tables(smoke: Path, tmp_path: Path) -> None:
    root = _copy(smoke, tmp_path / "sweep")
    report = report_plan.build_report(root)
    names = {"timeseries", "forest", "tier_shares", "resolution_ecdf", "network_trust"}
    for name in names:
        for width in ("single", "double"):
            for fmt in ("pdf", "svg", "png"):
                assert (report / "figures" / f"{name}_{width}.{fmt}").is_file()
    with Image.open(report / "figures" / "timeseries_single.png") as png:
        assert png.size[0] == pytest.approx(3.5 * 300, abs=2)  # 3.5 in at 300 dpi
        assert round(png.info["dpi"][0]) == 300
    with Image.open(report / "figures" / "timeseries_double.png") as png:
        assert png.size[0] == pytest.approx(7 * 300, abs=2)
    pdf = (report / "figures" / "forest_single.pdf").read_bytes()
    assert b"/FontFile2" in pdf and b"/Subtype /Type3" not in pdf  # TrueType embedded
    assert "<text" in (report / "figures" / "forest_single.svg").read_text()
    captions = (report / "captions.md").read_text()
    runs = pd.read_parquet(root / "runs.parquet")
    assert "Runs: 6 completed" in captions and "Seeds: 0\u20132." in captions
    for h in runs["config_hash"].unique():
        assert f"`{h}`" in captions
    assert "Excluded" not in captions
    for stem in ("summary", "comparisons"):
        for ext in ("csv", "md", "tex"):
            assert (report / "tables" / f"{stem}.{ext}").is_file()
    assert "\\toprule" in (report / "tables" / "summary.tex").read_text()
    summary = pd.read_csv(report / "tables" / "summary.csv")
    row = summary[(summary["variant"] == "chengdu_2014") & (summary["outcome"] == "petitions")]
    done = runs[(runs["status"] == "completed") & (runs["variant"] == "chengdu_2014")]
    assert row["mean"].item() == pytest.approx(done["petitions"].mean())
    # A second report with fewer formats drops the old files: captions match the folder.
    report_plan.build_report(root, width="single", formats=("png",))
    assert not list((report / "figures").glob("*.pdf"))
    assert not list((report / "figures").glob("*_double.png"))


def test_failed_run_is_excluded_and_named(smoke: Path, tmp_path: Path) -> None:
    root = _copy(smoke, tmp_path / "sweep")
    loading.load_sweep(root)  # aggregated before the failure appears: the report must notice
    failed = root / "scenario=chengdu_2014,seed=7"
    shutil.copytree(root / "scenario=chengdu_2014,seed=1", failed)
    meta = json.loads((failed / "meta.json").read_text())
    (failed / "meta.json").write_text(json.dumps({**meta, "status": "failed", "seed": 7}))
    (failed / "traceback.txt").write_text("RuntimeError: boom\n")
    sweep = loading.load_sweep(root)
    assert len(sweep.runs) == 7 and len(sweep.done) == 6
    plan = report_plan.plan_report(sweep)
    for planned in plan.figures:
        assert failed.name not in set(planned.runs["run"])
    fig = _draw(plan, "timeseries")
    panel = fig.axes[figures.TIMESERIES_OUTCOMES.index("disputes_open")]
    (line,) = [ln for ln in panel.get_lines() if ln.get_gid() == "mean:chengdu_2014"]
    kept = [
        pd.read_parquet(root / f"scenario=chengdu_2014,seed={s}" / "timeseries.parquet")
        for s in (0, 1, 2)
    ]
    expected = pd.concat(kept).groupby("step")["disputes_open"].mean()
    np.testing.assert_allclose(_xy(line)[1], expected)  # the failed copy is not in it
    report = report_plan.build_report(root, width="single", formats=("png",))
    captions = (report / "captions.md").read_text()
    assert f"Excluded: 1 run(s) that did not complete (1 failed): `{failed.name}`" in captions
    assert captions.count("Excluded:") == len(plan.figures) + 1  # header + every figure
    assert "Seeds: 0\u20132." in captions and "Seeds: 0\u20132, 7" not in captions


def test_single_run_folder(tmp_path: Path) -> None:
    folder = tmp_path / "one"
    small: dict[str, Any] = {"world.communities": 1, "steps": 12}
    result = run(scenario="chengdu_2014", seed=3, **small)
    write_run(result, folder, variant="chengdu_2014")
    before = (folder / "timeseries.parquet").read_bytes()
    report = report_plan.build_report(folder, width="single", formats=("png",))
    names = {p.stem for p in (report / "figures").iterdir()}
    assert {"timeseries_single", "tier_shares_single", "resolution_ecdf_single"} <= names
    assert "forest_single" not in names  # one variant: nothing to compare
    assert (folder / "timeseries.parquet").read_bytes() == before  # the run is not touched
    plan = report_plan.plan_report(loading.load_sweep(folder))
    fig = _draw(plan, "timeseries")
    (band,) = _by_gid(fig, "band:chengdu_2014")[:1]
    assert all(len(p.vertices) == 0 for p in band.get_paths())
    assert "Seeds: 3." in (report / "captions.md").read_text()


def test_grid_heatmap_cells_are_group_means_with_n(tmp_path: Path) -> None:
    x, y = "policy.councils.coverage", "policy.party.building_coverage"
    root = tmp_path / "grid"
    for cx in (0.0, 1.0):
        for cy in (0.0, 1.0):
            for seed in (0, 1):
                over: dict[str, Any] = {x: cx, y: cy, "world.communities": 1, "steps": 10}
                name = f"{x}={cx},{y}={cy},seed={seed}"
                write_run(run(seed=seed, **over), root / name, variant=name)
    sweep = loading.load_sweep(root)
    assert loading.grid_parameters(sweep) == [x, y]
    plan = report_plan.plan_report(sweep)
    fig = _draw(plan, "heatmap_resolution_rate")
    ax = next(a for a in fig.axes if a.images)
    (image,) = ax.images
    assert isinstance(image, AxesImage)
    expected = sweep.done.groupby([y, x])["resolution_rate"].agg(["mean", "count"])
    means, counts = expected["mean"].to_dict(), expected["count"].to_dict()
    grid = np.asarray(image.get_array())
    for i, cy in enumerate((0.0, 1.0)):
        for j, cx in enumerate((0.0, 1.0)):
            mean, n = float(means[(cy, cx)]), int(counts[(cy, cx)])
            assert grid[i, j] == pytest.approx(mean)
            (cell,) = [t for t in ax.texts if t.get_gid() == f"cell:{i},{j}"]
            assert cell.get_text() == f"{mean:.2f}\nn={n}" and n == 2
    assert ax.get_xlabel() == f"{x} (share)"
    summary = report_plan._summary_table(sweep)
    assert {x, y} <= set(summary.columns)  # the grid cells, not long variant names


def _fake_sensitivity(smoke: Path, root: Path, method: str) -> pd.DataFrame:
    """A smoke copy declared a sensitivity sweep, with an index table written beside it."""
    _copy(smoke, root)
    loading.load_sweep(root)
    names = ["policy.party.building_coverage", "mediation.early_bonus", "policy.latent_weeks"]
    rng = np.random.default_rng(1)
    if method == "morris":
        table = pd.DataFrame(
            {
                "parameter": names,
                "mu": rng.normal(size=3),
                "mu_star": [0.3, 0.1, 0.2],
                "sigma": [0.2, 0.05, 0.3],
                "mu_star_conf": [0.05, 0.02, 0.04],
            }
        )
    else:
        table = pd.DataFrame(
            {
                "parameter": names,
                "S1": [0.5, 0.1, 0.2],
                "S1_conf": [0.1, 0.05, 0.05],
                "ST": [0.6, 0.15, 0.3],
                "ST_conf": [0.1, 0.05, 0.05],
            }
        )
    table.insert(0, "outcome", "resolution_rate")
    (root / "sensitivity").mkdir()
    spec = {"method": method, "n": 4, "seed": 0, "parameters": {n: [0, 1] for n in names}}
    (root / "sensitivity" / "spec.json").write_text(json.dumps(spec))
    table.to_csv(root / "sensitivity" / "indices.csv", index=False)
    return table


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_sensitivity_bars_equal_the_index_table(smoke: Path, tmp_path: Path, method: str) -> None:
    table = _fake_sensitivity(smoke, tmp_path / "sens", method)
    plan = report_plan.plan_report(loading.load_sweep(tmp_path / "sens"))
    names = [p.name for p in plan.figures]
    assert f"{method}_resolution_rate" in names and "forest" not in names
    fig = _draw(plan, f"{method}_resolution_rate")
    bars = [c for c in fig.axes[0].containers if isinstance(c, BarContainer)]
    if method == "morris":
        widths = {
            t.get_text(): p.get_width()
            for t, p in zip(fig.axes[0].get_yticklabels(), bars[0].patches, strict=True)
        }
        assert widths == dict(zip(table["parameter"], table["mu_star"], strict=True))
    else:
        by_index = {c.get_label(): c for c in bars}
        ranked = table.sort_values("ST", ascending=False)
        for label, column in (("first order S1", "S1"), ("total ST", "ST")):
            got = [p.get_width() for p in by_index[label].patches]
            np.testing.assert_allclose(got, ranked[column])


# ------------------------------------------------------------------ bad input


def _report(path: Path, **options: object) -> int:
    """`jiceng-report figures PATH --option=value ...`."""
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    return report_cli.main(["figures", str(path), *flags])


def test_empty_and_corrupt_folders_give_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    corrupt = tmp_path / "corrupt"
    (corrupt / "run_0").mkdir(parents=True)
    (corrupt / "run_0" / "meta.json").write_text('{"status": "compl')
    cases = {
        empty: "no run folders",
        corrupt: "no completed runs",
        tmp_path / "missing": "is not a folder",
    }
    for folder, message in cases.items():
        with pytest.raises(AggregateError, match=message) as info:
            report_plan.build_report(folder)
        assert "\n" not in str(info.value)
        assert _report(folder) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("jiceng-report: error: ") and message in err[0]
    assert "corrupt meta.json" in str(
        pytest.raises(loading.ReportError, loading.load_sweep, corrupt).value
    )
    assert not (empty / "report").exists()


def test_bad_options_name_the_fix(smoke: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        ({"style": "fancy"}, "--style"),
        ({"reference": "nope"}, "--reference"),
        ({"width": "triple"}, "--width"),
        ({"formats": "pdf,doc"}, "--formats"),
    ]
    for options, flag in cases:
        assert _report(smoke, **options) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and flag in err[0]


def test_science_style_without_scienceplots_is_a_clear_error(
    smoke: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "scienceplots", None)  # import fails even if installed
    with pytest.raises(loading.ReportError, match="pip install SciencePlots"):
        report_plan.build_report(smoke, style="science")


def test_experiment_script_reproduces_its_figures(smoke: Path, tmp_path: Path) -> None:
    out = tmp_path / "paper"
    proc = subprocess.run(
        [sys.executable, str(REPO / "experiments" / "smoke.py"), str(smoke), "--out", str(out)],
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.glob("*.pdf")} == {
        "smoke_timeseries.pdf",
        "smoke_forest.pdf",
        "smoke_tiers.pdf",
    }


def test_dispute_sample_is_bounded_and_reproducible(
    smoke_plan: tuple[loading.Sweep, report_plan.Plan],
) -> None:
    sweep, _ = smoke_plan
    full, _ = loading.read_disputes(sweep, sweep.done)
    first, _ = loading.read_disputes(sweep, sweep.done, limit=60)
    again, _ = loading.read_disputes(sweep, sweep.done, limit=60)
    pd.testing.assert_frame_equal(first, again)  # seeded: the same figure every time
    resolved = sweep.done.groupby("scenario")["resolved"].sum()
    assert full.groupby("scenario").size().to_dict() == resolved.to_dict()
    sizes = first.groupby("scenario").size()
    assert ((sizes > 30) & (sizes < 95)).all()  # ~60 each (Bernoulli), never all of them


def test_sensitivity_script_on_a_plain_sweep_is_one_line(smoke: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "experiments" / "mediation_capacity.py"), str(smoke)],
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: {smoke} is not a sensitivity sweep (no sensitivity/spec.json); run one with "
        "jiceng experiment=mediation_capacity or experiment=policy_screening"
    ]


# ------------------------------------------------------------------ few replicates


def _legend_texts(fig: Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


@pytest.fixture(scope="module")
def two_seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[loading.Sweep, report_plan.Plan]:
    root = tmp_path_factory.mktemp("two") / "sweep"
    for scenario in ("chengdu_2014", "baseline_2008"):
        for seed in (0, 1):
            result = run(scenario=scenario, seed=seed, **{"world.communities": 1, "steps": 12})
            write_run(result, root / f"scenario={scenario},seed={seed}")
    sweep = loading.load_sweep(root)
    return sweep, report_plan.plan_report(sweep)


def test_two_seeds_draw_no_band_and_the_figure_says_why(
    two_seeds: tuple[loading.Sweep, report_plan.Plan],
) -> None:
    _, plan = two_seeds
    fig = _draw(plan, "timeseries")
    for scenario in ("chengdu_2014", "baseline_2008"):
        for band in _by_gid(fig, f"band:{scenario}"):
            assert all(len(p.vertices) == 0 for p in band.get_paths())
    assert "no interval: fewer than 3 runs per scenario" in _legend_texts(fig)
    assert "fewer than 3 runs per scenario, so no interval" in _planned(plan, "timeseries").what


def test_two_pairs_draw_no_interval_and_the_forest_says_so_and_names_its_reference(
    two_seeds: tuple[loading.Sweep, report_plan.Plan],
) -> None:
    _, plan = two_seeds
    fig = _draw(plan, "forest")
    assert _legend_texts(fig) == [
        "mean paired difference from Chengdu 2014, 95% t-interval",
        "no interval: fewer than 3 pairs",
    ]
    for ci in _by_gid(fig, "interval:ci"):
        assert not any(np.isfinite(np.asarray(s)).any() for s in ci.get_segments())
    assert plan.comparisons is not None
    assert set(plan.comparisons["note"]) == {"fewer than 3 pairs: no interval"}
    assert not plan.comparisons["enough_replicates"].any()


def test_three_seeds_draw_t_bands_and_the_legends_name_the_interval(
    smoke_plan: tuple[loading.Sweep, report_plan.Plan],
) -> None:
    _, plan = smoke_plan
    assert "95% t-interval across runs" in _legend_texts(_draw(plan, "timeseries"))
    forest = _legend_texts(_draw(plan, "forest"))
    assert forest == ["mean paired difference from Chengdu 2014, 95% t-interval"]
