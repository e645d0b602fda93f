"""Figures draw exactly the numbers in the tables, keep paper conventions and save cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image
from scipy import stats

from sim.report import labels, scenarios, style
from sim.report.plots import (
    heatmap_table,
    network_layout,
    plot_forest,
    plot_heatmap,
    plot_morris,
    plot_network,
    plot_resolution_ecdf,
    plot_sobol,
    plot_tier_shares,
    plot_timeseries,
    resolution_ecdf,
    tier_share_table,
)
from sim.report.stats import timeseries_band

matplotlib.use("Agg")  # headless; the plot code itself never touches pyplot

SCENARIOS = ["baseline_2008", "chengdu_2014", "jinjiang"]
OUTCOMES = ["disputes_open", "resolution_rate", "mean_grievance", "trust_party"]


# --------------------------------------------------------------------------- tables


@pytest.fixture
def ts() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for k, scenario in enumerate(SCENARIOS):
        for seed in range(5):
            for step in range(40):
                rows.append(
                    {
                        "run_id": f"{scenario}-{seed}",
                        "scenario": scenario,
                        "variant": "base",
                        "seed": seed,
                        "step": step,
                        "disputes_open": rng.poisson(5 + k),
                        "resolution_rate": 0.5 + 0.1 * k + rng.normal(0, 0.05),
                        "mean_grievance": 0.4 - 0.002 * step + rng.normal(0, 0.02),
                        "trust_party": 0.6 + rng.normal(0, 0.05),
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture
def comparisons() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for outcome in ["resolution_rate", "mean_grievance"]:
        for variant in ["council_full", "party_high", "no_grand"]:
            m = rng.normal(0, 0.05)
            h = rng.uniform(0.01, 0.04)
            rows.append(
                {
                    "variant": variant,
                    "outcome": outcome,
                    "n_pairs": 20,
                    "mean_diff": m,
                    "t_ci_low": m - h,
                    "t_ci_high": m + 1.2 * h,
                    "boot_ci_low": m - 0.9 * h,
                    "boot_ci_high": m + h,
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture
def runs() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    rows = []
    for scenario in SCENARIOS:
        for seed in range(6):
            shares = rng.dirichlet(np.full(len(labels.ENDINGS), 2.0))
            row: dict[str, object] = {
                "run_id": f"{scenario}-{seed}",
                "scenario": scenario,
                "variant": "base",
                "seed": seed,
                "status": "completed",
                "resolution_rate": rng.uniform(0.4, 0.9),
            }
            row.update({f"ended_{t}": s for t, s in zip(labels.ENDINGS, shares, strict=True)})
            rows.append(row)
    failed = dict(rows[0], run_id="failed", status="failed", ended_self_settle=0.9)
    return pd.DataFrame([*rows, failed])


@pytest.fixture
def grid_runs() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for a in [0.0, 0.5, 1.0]:
        for b in [0.2, 0.8]:
            for _ in range(int(rng.integers(2, 6))):
                rows.append(
                    {
                        "policy.council_coverage": a,
                        "policy.party.building_coverage": b,
                        "status": "completed",
                        "resolution_rate": 0.3 + 0.4 * a + 0.1 * b + rng.normal(0, 0.02),
                    }
                )
    rows.append(  # one run without the outcome must not count in n
        {
            "policy.council_coverage": 0.0,
            "policy.party.building_coverage": 0.2,
            "status": "completed",
            "resolution_rate": np.nan,
        }
    )
    return pd.DataFrame(rows)


@pytest.fixture
def sobol() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parameter": ["policy.council_coverage", "network.k", "mediation.capacity"],
            "S1": [0.30, -0.01, 0.12],
            "S1_conf": [0.04, 0.02, 0.03],
            "ST": [0.45, 0.05, 0.30],
            "ST_conf": [0.05, 0.02, 0.04],
        }
    )


@pytest.fixture
def morris() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    names = ["a.alpha", "b.beta_long_name", "c.gamma", "d.delta", "e.epsilon", "f.phi"]
    return pd.DataFrame(
        {
            "parameter": names,
            "mu_star": [0.50, 0.52, 0.48, 0.10, 0.80, 0.30],
            "mu_star_conf": rng.uniform(0.01, 0.05, len(names)),
            "sigma": [0.40, 0.41, 0.39, 0.05, 0.20, 0.60],
        }
    )


@pytest.fixture
def disputes() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for scenario in SCENARIOS:
        for i in range(60):
            outcome = str(
                rng.choice(["self_settle", "community", "litigation", "abandoned", "open"])
            )
            rows.append(
                {
                    "run_id": f"{scenario}-0",
                    "scenario": scenario,
                    "seed": 0,
                    "dispute_id": i,
                    "kind": "neighbour",
                    "outcome": outcome,
                    "time_to_resolution": np.nan if outcome == "open" else rng.integers(1, 30),
                }
            )
    return pd.DataFrame(rows)


def _data(values: object) -> np.ndarray:
    """Line data as a float array (matplotlib types it loosely)."""
    return np.asarray(values, dtype=float)


def _segments(ax: Axes, gid: str) -> list[np.ndarray]:
    """Segments of the one LineCollection with this gid."""
    (found,) = [c for c in ax.collections if c.get_gid() == gid]
    assert isinstance(found, LineCollection)
    return [np.asarray(seg) for seg in found.get_segments()]


def _check_layout(fig: Figure) -> None:
    """No text is clipped by the figure edge and no legend covers an axes' data area."""
    fig.draw_without_rendering()
    tight = fig.get_tightbbox()  # inches, everything that is drawn
    eps = 0.01
    assert tight.x0 >= -eps and tight.y0 >= -eps, f"clipped at left/bottom: {tight}"
    assert tight.x1 <= fig.get_figwidth() + eps, f"clipped at right: {tight}"
    assert tight.y1 <= fig.get_figheight() + eps, f"clipped at top: {tight}"
    labels = [a.xaxis.label for a in fig.axes] + [a.yaxis.label for a in fig.axes]
    boxes = [t.get_window_extent() for t in labels if t.get_text()]
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1 :]), "axis labels collide"
    legends = list(fig.legends) + [lg for ax in fig.axes if (lg := ax.get_legend())]
    for legend in legends:
        for ax in fig.axes:
            if ax.get_label() == "<colorbar>":
                continue
            assert not legend.get_window_extent().overlaps(ax.bbox), "legend over data"


# --------------------------------------------------------------------------- timeseries


def test_band_helper_is_a_t_interval(ts: pd.DataFrame) -> None:
    band = timeseries_band(ts, "resolution_rate")
    assert list(band.columns) == ["scenario", "step", "n", "mean", "ci_low", "ci_high"]
    values = ts.loc[(ts["scenario"] == "jinjiang") & (ts["step"] == 7), "resolution_rate"]
    row = band[(band["scenario"] == "jinjiang") & (band["step"] == 7)].iloc[0]
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    assert row["n"] == 5
    assert row["mean"] == pytest.approx(values.mean())
    assert row["ci_low"] == pytest.approx(values.mean() - half)
    assert row["ci_high"] == pytest.approx(values.mean() + half)


def test_band_with_one_seed_has_no_interval(ts: pd.DataFrame) -> None:
    band = timeseries_band(ts[ts["seed"] == 0], "resolution_rate")
    assert band["n"].eq(1).all()
    assert band["ci_low"].isna().all() and band["ci_high"].isna().all()


def test_timeseries_draws_the_band_helper(ts: pd.DataFrame) -> None:
    ax = plot_timeseries(ts, "mean_grievance", reforms=[(10, "2010 reform"), (30, "2014")])
    band = timeseries_band(ts, "mean_grievance")
    lines = {line.get_gid(): line for line in ax.get_lines()}
    fills = {c.get_gid(): c for c in ax.collections if str(c.get_gid()).startswith("band:")}
    for scenario in SCENARIOS:
        expected = band[band["scenario"] == scenario]
        line = lines[f"mean:{scenario}"]
        np.testing.assert_allclose(_data(line.get_xdata()), expected["step"])
        np.testing.assert_allclose(_data(line.get_ydata()), expected["mean"])
        vertices = np.asarray(fills[f"band:{scenario}"].get_paths()[0].vertices)
        # The polygon's vertices at each step are exactly (step, ci_low) and (step, ci_high).
        at = pd.DataFrame(vertices, columns=["x", "y"]).groupby("x")["y"].agg(["min", "max"])
        np.testing.assert_allclose(at.index, expected["step"])
        np.testing.assert_allclose(at["min"], expected["ci_low"])
        np.testing.assert_allclose(at["max"], expected["ci_high"])
    assert ax.get_xlabel() == "time (weeks)"
    assert ax.get_ylabel() == "grievance (0\u20131)"
    verticals = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert sorted(_data(line.get_xdata())[0] for line in verticals) == [10, 30]
    assert {t.get_text() for t in ax.texts} == {"2010 reform", "2014"}
    _check_layout(style.root_figure(ax))


def test_timeseries_draws_on_given_axes(ts: pd.DataFrame) -> None:
    fig, axes = style.subplots(1, 2, width="double", aspect=0.4)
    ax = plot_timeseries(ts, "disputes_open", ax=axes[0, 0], reforms=[(20, "reform")])
    assert ax is axes[0, 0]
    plot_timeseries(ts, "trust_party", ax=axes[0, 1], by="seed")
    assert axes[0, 1].get_legend() is not None
    _check_layout(fig)


# --------------------------------------------------------------------------- forest


def test_forest_error_bars_match_ci(comparisons: pd.DataFrame) -> None:
    ax = plot_forest(comparisons, "resolution_rate")
    assert isinstance(ax, Axes)
    table = comparisons[comparisons["outcome"] == "resolution_rate"]
    segments = _segments(ax, "interval:ci")
    assert len(segments) == len(table)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    y_of = dict(zip(labels, ax.get_yticks(), strict=True))
    for seg, (_, row) in zip(segments, table.iterrows(), strict=True):
        np.testing.assert_allclose(seg[:, 0], [row["t_ci_low"], row["t_ci_high"]])
        assert seg[0, 1] == seg[1, 1] == y_of[f"{row['variant']} (n=20)"]
    zero = [line for line in ax.get_lines() if list(_data(line.get_xdata())) == [0, 0]]
    assert zero, "zero reference line missing"
    (points,) = [c for c in ax.collections if c.get_gid() == "mean_diff"]
    np.testing.assert_allclose(np.asarray(points.get_offsets())[:, 0], table["mean_diff"])
    _check_layout(style.root_figure(ax))


def test_forest_bootstrap_interval(comparisons: pd.DataFrame) -> None:
    ax = plot_forest(comparisons, "mean_grievance", interval="both")
    assert isinstance(ax, Axes)
    table = comparisons[comparisons["outcome"] == "mean_grievance"]
    lows = [seg[0, 0] for seg in _segments(ax, "interval:boot")]
    np.testing.assert_allclose(lows, table["boot_ci_low"])
    _check_layout(style.root_figure(ax))


def test_forest_one_panel_per_outcome(comparisons: pd.DataFrame) -> None:
    fig = plot_forest(comparisons)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    assert [ax.get_xlabel() for ax in fig.axes] == [
        "\u0394 resolved (share of disputes that arose)",
        "\u0394 grievance (0\u20131)",
    ]
    for ax, outcome in zip(fig.axes, ["resolution_rate", "mean_grievance"], strict=True):
        highs = [seg[1, 0] for seg in _segments(ax, "interval:ci")]
        expected = comparisons.loc[comparisons["outcome"] == outcome, "t_ci_high"]
        np.testing.assert_allclose(highs, expected)
    with pytest.raises(ValueError, match="own figure"):
        plot_forest(comparisons, ax=style.new_axes())
    _check_layout(fig)


# --------------------------------------------------------------------------- tiers


def test_tier_bars_are_mean_shares_and_stack_to_one(runs: pd.DataFrame) -> None:
    ax = plot_tier_shares(runs)
    completed = runs[runs["status"] == "completed"]
    table = tier_share_table(runs)
    assert list(table.index) == SCENARIOS
    assert table["n"].tolist() == [6, 6, 6]  # the failed run is left out
    bars = {c.get_label(): c for c in ax.containers if isinstance(c, BarContainer)}
    assert list(bars) == [labels.ENDING_LABELS[t] for t in labels.ENDINGS]
    total = np.zeros(len(SCENARIOS))
    for tier in labels.ENDINGS:
        patches = bars[labels.ENDING_LABELS[tier]].patches
        widths = np.array([p.get_width() for p in patches])
        lefts = np.array([p.get_x() for p in patches])
        expected = completed.groupby("scenario")[f"ended_{tier}"].mean().reindex(SCENARIOS)
        np.testing.assert_allclose(widths, expected.to_numpy())
        np.testing.assert_allclose(lefts, total)
        assert to_hex(patches[0].get_facecolor()) == style.TIER_COLOURS[tier].lower()
        total += widths
    np.testing.assert_allclose(total, 1.0)
    _check_layout(style.root_figure(ax))


def test_tier_palette_is_ordered_by_lightness() -> None:
    from matplotlib.colors import to_rgb

    ladder = [style.TIER_COLOURS[t] for t in labels.ENDINGS[:-2]]  # abandoned, open: grey
    lightness = [np.dot(to_rgb(c), [0.2126, 0.7152, 0.0722]) for c in ladder]
    assert lightness == sorted(lightness, reverse=True)


# --------------------------------------------------------------------------- heatmap


def test_heatmap_cells_are_group_means_with_n(grid_runs: pd.DataFrame) -> None:
    x, y = "policy.council_coverage", "policy.party.building_coverage"
    ax = plot_heatmap(grid_runs, x, y, "resolution_rate")
    (image,) = ax.get_images()
    drawn = np.asarray(image.get_array())
    expected = grid_runs.groupby([y, x])["resolution_rate"].agg(["mean", "count"])
    ys, xs = sorted(grid_runs[y].unique()), sorted(grid_runs[x].unique())
    assert drawn.shape == (len(ys), len(xs))
    notes = {t.get_gid(): t.get_text() for t in ax.texts}
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            mean, count = expected.loc[(yv, xv)]
            assert drawn[i, j] == pytest.approx(mean)
            shown_mean, shown_n = notes[f"cell:{i},{j}"].split("\n")
            assert shown_n == f"n={int(count)}"
            assert float(shown_mean) == pytest.approx(mean, abs=0.005)
    table = heatmap_table(grid_runs, x, y, "resolution_rate")
    assert table["n"].sum() == grid_runs["resolution_rate"].notna().sum()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "0.5", "1"]
    assert ax.get_xlabel() == x
    _check_layout(style.root_figure(ax))


def test_heatmap_marks_empty_cells(grid_runs: pd.DataFrame) -> None:
    x, y = "policy.council_coverage", "policy.party.building_coverage"
    sparse = grid_runs[~((grid_runs[x] == 1.0) & (grid_runs[y] == 0.8))]
    ax = plot_heatmap(sparse, x, y, "resolution_rate")
    notes = {t.get_gid(): t.get_text() for t in ax.texts}
    assert notes["cell:1,2"] == "\u2013\nn=0"
    drawn = ax.get_images()[0].get_array()
    assert drawn is not None and np.ma.is_masked(drawn[1, 2])


# --------------------------------------------------------------------------- sensitivity


def test_sobol_bars_equal_indices(sobol: pd.DataFrame) -> None:
    ax = plot_sobol(sobol)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["policy.council_coverage", "mediation.capacity", "network.k"]  # by ST
    ordered = sobol.set_index("parameter").loc[labels]
    bars = {c.get_label(): c for c in ax.containers if isinstance(c, BarContainer)}
    for index, label in (("S1", "first order S1"), ("ST", "total ST")):
        widths = [p.get_width() for p in bars[label].patches]
        np.testing.assert_allclose(widths, ordered[index])
        caps = bars[label].errorbar
        assert caps is not None
        (spans,) = caps.lines[2]
        assert isinstance(spans, LineCollection)
        half = [abs(seg[1][0] - seg[0][0]) / 2 for seg in spans.get_segments()]
        np.testing.assert_allclose(half, ordered[f"{index}_conf"])
    _check_layout(style.root_figure(ax))


def test_morris_scatter_and_labels_do_not_collide(morris: pd.DataFrame) -> None:
    ax = plot_morris(morris)
    (points,) = [line for line in ax.get_lines() if line.get_marker() == "o"]
    order = morris.sort_values("mu_star", ascending=False)
    np.testing.assert_allclose(_data(points.get_xdata()), order["mu_star"])
    np.testing.assert_allclose(_data(points.get_ydata()), order["sigma"])
    fig = style.root_figure(ax)
    fig.draw_without_rendering()
    names = [t for t in ax.texts if t.get_text() in set(morris["parameter"])]
    assert len(names) == len(morris)
    boxes = [t.get_window_extent() for t in names]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    _check_layout(fig)


def test_morris_bars(morris: pd.DataFrame) -> None:
    ax = plot_morris(morris, kind="bars")
    (bars,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    order = morris.sort_values("mu_star", ascending=False)
    np.testing.assert_allclose([p.get_width() for p in bars.patches], order["mu_star"])
    _check_layout(style.root_figure(ax))


# --------------------------------------------------------------------------- resolution


def test_ecdf_ends_at_one_with_n_steps(disputes: pd.DataFrame) -> None:
    ax = plot_resolution_ecdf(disputes)
    closed = disputes[disputes["outcome"] != "open"]
    for scenario in SCENARIOS:
        (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == f"ecdf:{scenario}"]
        y = _data(line.get_ydata())
        n = int((closed["scenario"] == scenario).sum())
        assert y[0] == 0.0 and y[-1] == pytest.approx(1.0)
        assert np.count_nonzero(np.diff(y) > 0) == n
        assert np.all(np.diff(_data(line.get_xdata())) >= 0)
        assert line.get_drawstyle() == "steps-post"
        assert f"(n={n})" in str(line.get_label())
    table = resolution_ecdf(disputes)
    assert len(table) == len(closed)
    assert ax.get_xlabel() == "time to resolution (weeks)"
    _check_layout(style.root_figure(ax))


# --------------------------------------------------------------------------- network


def test_network_layout_is_deterministic() -> None:
    graph = nx.watts_strogatz_graph(60, 4, 0.2, seed=1)
    values = np.linspace(0, 1, 60)
    first = plot_network(graph, values, layout_seed=3)
    second = plot_network(graph, values, layout_seed=3)
    other = plot_network(graph, values, layout_seed=4)

    def offsets(ax: Axes) -> np.ndarray:
        (nodes,) = [c for c in ax.collections if c.get_gid() == "nodes"]
        assert isinstance(nodes, PathCollection)
        return np.asarray(nodes.get_offsets())

    np.testing.assert_array_equal(offsets(first), offsets(second))
    assert not np.allclose(offsets(first), offsets(other))
    # built in a different order, the same graph still gets the same picture
    shuffled = nx.Graph()
    shuffled.add_nodes_from(sorted(graph.nodes, reverse=True))
    shuffled.add_edges_from(graph.edges)
    a, b = network_layout(graph, seed=3), network_layout(shuffled, seed=3)
    for node in graph.nodes:
        np.testing.assert_array_equal(a[node], b[node])
    (nodes,) = [c for c in first.collections if c.get_gid() == "nodes"]
    np.testing.assert_allclose(np.asarray(nodes.get_array()), values)
    assert len(_segments(first, "edges")) == graph.number_of_edges()
    colourbar_axes = [ax for ax in style.root_figure(first).axes if ax is not first]
    assert colourbar_axes[0].get_ylabel() == "trust (0\u20131)"


def test_network_rejects_misaligned_values() -> None:
    with pytest.raises(ValueError, match="values"):
        plot_network(nx.path_graph(5), np.zeros(4))


# --------------------------------------------------------------------------- style


def test_same_scenario_same_colour_across_figures(ts: pd.DataFrame, disputes: pd.DataFrame) -> None:
    lines_ts = plot_timeseries(ts, "resolution_rate").get_lines()
    lines_ecdf = plot_resolution_ecdf(disputes).get_lines()
    for scenario in SCENARIOS:
        (a,) = [ln for ln in lines_ts if ln.get_gid() == f"mean:{scenario}"]
        (b,) = [ln for ln in lines_ecdf if ln.get_gid() == f"ecdf:{scenario}"]
        assert isinstance(a, Line2D) and isinstance(b, Line2D)
        assert to_hex(a.get_color()) == to_hex(b.get_color())
        assert a.get_marker() == b.get_marker() == scenarios.scenario_style(scenario)["marker"]
        assert to_hex(a.get_color()) == scenarios.scenario_style(scenario)["color"].lower()


def test_unknown_scenario_style_is_stable_across_processes() -> None:
    code = (
        "from sim.report.scenarios import scenario_style as s;"
        "print(s('xindu_pilot')['color'], s('xindu_pilot')['marker'])"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout.strip())
    here = scenarios.scenario_style("xindu_pilot")
    assert outputs == {f"{here['color']} {here['marker']}"}
    known = {(d.colour, d.marker) for d in scenarios.declared().values()}
    assert (here["color"], here["marker"]) not in known
    assert here["color"] in style.OKABE_ITO.values()


def test_labels_and_sizes() -> None:
    assert labels.label_for("mean_time_to_resolution") == "time to resolution (weeks)"
    assert labels.label_for("policy.council_coverage") == "policy.council_coverage"
    assert style.figure_size("single", 0.5) == (3.5, 1.75)
    assert style.figure_size("double") == (7.0, 5.25)
    with pytest.raises(ValueError):
        style.figure_size("triple")  # type: ignore[arg-type]
    assert scenarios.scenario_order(["zz", "wuhou", "aa", "baseline_2008"]) == [
        "baseline_2008",
        "wuhou",
        "aa",
        "zz",
    ]


def test_house_style_is_print_ready() -> None:
    import matplotlib as mpl

    with style.use_style("house"):
        assert mpl.rcParams["font.size"] >= 7
        assert min(mpl.rcParams["xtick.labelsize"], mpl.rcParams["legend.fontsize"]) >= 7
        assert not mpl.rcParams["axes.spines.top"] and not mpl.rcParams["axes.spines.right"]
        assert mpl.rcParams["axes.grid"]
        assert mpl.rcParams["pdf.fonttype"] == 42
        ax = style.new_axes()
        assert not ax.spines["top"].get_visible()
    assert not style.new_axes().spines["right"].get_visible()  # house style by default


def test_science_style_needs_scienceplots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "scienceplots", None)  # makes the import fail
    with pytest.raises(ImportError, match="pip install SciencePlots"), style.use_style("science"):
        pass
    with pytest.raises(ValueError, match="unknown style"), style.use_style("nature"):
        pass


# --------------------------------------------------------------------------- saving


def test_save_figure_writes_embedded_vector_and_300_dpi_png(
    tmp_path: Path, ts: pd.DataFrame
) -> None:
    ax = plot_timeseries(ts, "resolution_rate", reforms=[(12, "reform")])
    fig = style.root_figure(ax)
    written = style.save_figure(fig, tmp_path / "figs" / "fig1")
    assert [p.name for p in written] == ["fig1.pdf", "fig1.svg", "fig1.png"]
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == sorted(
        ["fig1.pdf", "fig1.svg", "fig1.png"]
    )  # no temp files left behind
    with Image.open(tmp_path / "figs" / "fig1.png") as png:
        dpi = png.info["dpi"]
        assert dpi[0] == pytest.approx(300, abs=0.01) and dpi[1] == pytest.approx(300, abs=0.01)
        assert png.size[0] == round(style.SINGLE_COLUMN * 300)
    pdf = (tmp_path / "figs" / "fig1.pdf").read_bytes()
    assert b"/FontFile2" in pdf  # embedded TrueType (Type 42)
    assert b"/Type3" not in pdf and b"/Subtype /Type3" not in pdf
    svg = (tmp_path / "figs" / "fig1.svg").read_text()
    assert "<text" in svg and "sans-serif" in svg  # editable text with a generic fallback
    again = style.save_figure(fig, tmp_path / "figs" / "fig1", formats=("pdf", "svg"))
    assert again[0].read_bytes() == pdf  # no timestamps: reruns give identical files
    assert again[1].read_text() == svg


def test_save_figure_leaves_old_file_on_failure(tmp_path: Path) -> None:
    fig = style.figure()
    fig.add_subplot().plot([0, 1], [0, 1])
    target = tmp_path / "fig.png"
    target.write_bytes(b"old")
    with pytest.raises(ValueError):
        style.save_figure(fig, tmp_path / "fig", formats=("png", "nope"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.png"]
    assert target.read_bytes() != b"old"  # png was replaced before the bad format failed


@pytest.mark.parametrize("width", ["single", "double"])
def test_every_figure_fits_its_page(
    width: style.Width,
    ts: pd.DataFrame,
    comparisons: pd.DataFrame,
    runs: pd.DataFrame,
    grid_runs: pd.DataFrame,
    sobol: pd.DataFrame,
    morris: pd.DataFrame,
    disputes: pd.DataFrame,
) -> None:
    made = [
        plot_timeseries(ts, "disputes_open", reforms=[(5, "a"), (8, "b")], width=width),
        plot_forest(comparisons, "resolution_rate", width=width),
        plot_tier_shares(runs, width=width),
        plot_heatmap(
            grid_runs,
            "policy.council_coverage",
            "policy.party.building_coverage",
            "resolution_rate",
            width=width,
        ),
        plot_sobol(sobol, width=width),
        plot_morris(morris, width=width),
        plot_resolution_ecdf(disputes, width=width),
        plot_network(nx.cycle_graph(12), np.arange(12.0), width=width),
    ]
    for obj in made:
        fig = obj if isinstance(obj, Figure) else style.root_figure(obj)
        assert isinstance(fig, Figure)
        assert fig.get_figwidth() == (3.5 if width == "single" else 7.0)
        _check_layout(fig)
