"""The report of a run or a sweep: which figures it supports, their captions, the tables.

`build_report(sweep)` plans the figures the sweep supports (`plan_report`) and writes

    DIR/report/figures/<name>_<single|double>.{pdf,svg,png}
    DIR/report/tables/summary.{csv,md,tex}, comparisons.{csv,md,tex}
    DIR/report/captions.md

Only completed runs are drawn; captions name the runs left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.files import remove_debris, write_text
from sim.report.figures import (
    MAX_BAND_GROUPS,
    NETWORK_VALUES,
    TIMESERIES_OUTCOMES,
    community_graph,
    ecdf_figure,
    forest_figure,
    heatmap_figure,
    long_tailed,
    morris_figure,
    network_figure,
    sobol_figure,
    tier_figure,
    timeseries_figure,
)
from sim.report.labels import label_for
from sim.report.loading import (
    ReportError,
    Sweep,
    describe_status,
    grid_parameters,
    is_sensitivity,
    load_sweep,
    read_disputes,
    reforms_of,
    sampling_rates,
    sensitivity_indices,
    short_reform_labels,
)
from sim.report.scenarios import scenario_label, scenario_order
from sim.report.stats import MIN_REPLICATES, compare, default_outcomes, summarise
from sim.report.style import (
    DOUBLE_COLUMN,
    SINGLE_COLUMN,
    STYLE_NAMES,
    Width,
    save_figure,
    use_style,
)
from sim.report.tables import write_table

SUMMARY_OUTCOMES = (
    "resolution_rate",
    "open_at_end",
    "grassroots_mediation_share",
    "mean_time_to_resolution",
    "petitions",
    "litigation",
    "participation_rate",
    "mean_grievance",
    "trust_party",
    "trust_mediation",
    "peoples_mediation_success",
    "council_decisions",
    "government_cost_per_week",
)
"""Rows of the summary table (those present in runs.parquet)."""

FOREST_OUTCOMES = (
    "resolution_rate",
    "mean_time_to_resolution",
    "petitions",
    "litigation",
    "participation_rate",
    "trust_mediation",
)
"""Panels of the forest plot: the paired comparisons a paper reports first."""

HEATMAP_OUTCOMES = ("resolution_rate", "grassroots_mediation_share", "participation_rate")
DEFAULT_REFERENCE = "chengdu_2014"
MAX_FOREST_VARIANTS = 12  # more rows than this is a table, not a figure (grids, designs)
ECDF_MAX_POINTS = 20_000  # per scenario; a DKW band of +-0.01 at 95%, files stay small
WIDTHS: dict[str, tuple[Width, ...]] = {
    "single": ("single",),
    "double": ("double",),
    "both": ("single", "double"),
}
FORMATS = ("pdf", "svg", "png", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp")


def _ranges(values: Iterable[int]) -> str:
    """`0-4, 7, 9-10` for a set of integers."""
    nums = sorted({int(v) for v in values})
    out: list[str] = []
    start = prev = None
    for v in [*nums, None]:
        if start is not None and (v is None or v != prev + 1):  # type: ignore[operator]
            out.append(f"{start}" if start == prev else f"{start}\u2013{prev}")
            start = None
        if v is not None and start is None:
            start = v
        prev = v
    return ", ".join(out) or "none"


def provenance(runs: pd.DataFrame) -> str:
    """Runs, seeds and config hashes behind a figure, for its caption."""
    per = runs.groupby("scenario", sort=False).size()
    counts = ", ".join(f"{scenario_label(s)} {per[s]}" for s in scenario_order(per.index))
    text = f"Runs: {len(runs)} completed ({counts}). Seeds: {_ranges(runs['seed'])}."
    if "config_hash" in runs:
        pairs = runs[["variant", "config_hash"]].drop_duplicates().sort_values("variant")
        hashes = "; ".join(f"`{h}` ({v})" for v, h in pairs.itertuples(index=False))
        text += f" Config hashes: {hashes}."
    return text


def excluded_line(excluded: pd.DataFrame) -> str:
    """The caption line naming runs that are not drawn, or '' when every run completed."""
    if excluded.empty:
        return ""
    names = ", ".join(f"`{r}`" for r in excluded["run"])
    return (
        f"Excluded: {len(excluded)} run(s) that did not complete "
        f"({describe_status(excluded)}): {names}."
    )


def unreadable_line(unreadable: pd.DataFrame) -> str:
    """The caption line naming runs whose files could not be read, and what failed."""
    if unreadable.empty:
        return ""
    what = "; ".join(f"`{r}` ({e})" for r, e in unreadable[["run", "error"]].itertuples(False))
    return (
        f"Unreadable: {len(unreadable)} run(s) with a file that could not be read, left out "
        f"of every figure and table: {what}. Re-running the sweep redoes them."
    )


def _drawer(fn: Callable[..., Figure], *args: Any, **kw: Any) -> Callable[[Width], Figure]:
    """``fn(*args, width=w, **kw)`` as a function of the width alone (drawn once per width)."""

    def draw(width: Width) -> Figure:
        return fn(*args, width=width, **kw)

    return draw


@dataclass
class Planned:
    """A figure the report will draw: how (per width), what it shows, which runs."""

    name: str
    draw: Callable[[Width], Figure]
    what: str
    runs: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    figures: list[Planned] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    comparisons: pd.DataFrame | None = None
    reference: str | None = None


def choose_reference(sweep: Sweep, reference: str | None) -> str | None:
    """The comparison reference: the one asked for, else chengdu_2014, else the first variant.

    None when there is nothing to compare (one variant, or a sensitivity design).
    """
    variants = list(dict.fromkeys(sweep.done["variant"].astype(str)))
    if reference is not None:
        name = reference.removeprefix("scenario=")
        if name not in variants:
            raise ReportError(
                f"reference {reference!r} is not a variant of {sweep.root}; "
                f"pass --reference with one of: {', '.join(variants[:20])}"
            )
        return name
    if len(variants) < 2 or is_sensitivity(sweep):
        return None
    return DEFAULT_REFERENCE if DEFAULT_REFERENCE in variants else variants[0]


def _plan_timeseries(sweep: Sweep, plan: Plan) -> None:
    ts = sweep.timeseries
    outcomes = [o for o in TIMESERIES_OUTCOMES if o in ts.columns and ts[o].notna().any()]
    if ts.empty or not outcomes:
        plan.notes.append("Time series: the runs wrote no timeseries.parquet; figure omitted.")
        return
    reforms = reforms_of(sweep.done)
    short = short_reform_labels([label for _, label, _ in reforms])
    marks = [(float(s), tag) for (s, _, _), tag in zip(reforms, short, strict=True)]
    runs_per = sweep.done.groupby("scenario").size()
    few = runs_per[runs_per < MIN_REPLICATES]
    if len(runs_per) > MAX_BAND_GROUPS:
        band = f"(intervals omitted for more than {MAX_BAND_GROUPS} scenarios; see the tables)"
    elif len(few) == len(runs_per):
        band = f"(fewer than {MIN_REPLICATES} runs per scenario, so no interval)"
    else:
        band = "with its 95% t-interval (shaded; cut at the outcome's possible range)"
        if len(few):
            names = ", ".join(scenario_label(str(s)) for s in few.index)
            band += f"; no interval for {names} (fewer than {MIN_REPLICATES} runs)"
    pooled = "seeds" if (sweep.done.groupby("scenario")["variant"].nunique() < 2).all() else "runs"
    panels = ", ".join(label_for(o) for o in outcomes)
    what = (
        f"Mean trajectory per scenario across {pooled} {band}, per week. "
        f"Panels, left to right and top to bottom: {panels}."
    )
    if pooled == "runs":
        what += " Each scenario pools all its variants (grid cells or design points)."
    if reforms:
        listed = "; ".join(
            f"{'' if label.startswith(tag) else f'{tag} = '}week {s}: {label} ({', '.join(names)})"
            for (s, label, names), tag in zip(reforms, short, strict=True)
        )
        what += f" Dashed lines mark reforms switching on: {listed}."
    plan.figures.append(
        Planned(
            "timeseries",
            _drawer(timeseries_figure, ts, outcomes, marks),
            what,
            sweep.done,
        )
    )


def forest_outcomes(sweep: Sweep) -> list[str]:
    """The `FOREST_OUTCOMES` that vary across the completed runs (a constant has no CI)."""
    varying = set(default_outcomes(sweep.tables))
    return [o for o in FOREST_OUTCOMES if o in varying]


def _plan_forest(sweep: Sweep, plan: Plan, reference: str | None) -> None:
    if reference is None:
        return
    done = sweep.done
    outcomes = forest_outcomes(sweep)
    ref_seeds = set(done.loc[done["variant"] == reference, "seed"])
    shared = done[(done["variant"] != reference) & done["seed"].isin(ref_seeds)]
    if not outcomes or shared.groupby("variant")["seed"].nunique().max() < 2:
        plan.notes.append(
            f"Paired comparisons: no variant shares two or more seeds with {reference}; "
            "forest plot and comparisons table omitted."
        )
        return
    table = compare(sweep.tables, reference, outcomes)
    plan.comparisons, plan.reference = table, reference
    n_variants = table["variant"].nunique()
    if n_variants > MAX_FOREST_VARIANTS:
        plan.notes.append(
            f"Forest plot omitted: {n_variants} variants are too many rows; see tables/comparisons."
        )
        return
    what = (
        f"Paired difference (variant minus {reference}, same seeds) of the mean outcome with "
        "its 95% Student t-interval; one panel per outcome. Filled dots: the interval "
        "excludes zero. n = number of seed pairs."
    )
    if (table["n_pairs"] < MIN_REPLICATES).any():
        what += f" Rows with fewer than {MIN_REPLICATES} pairs have no interval."
    used = done[done["variant"].isin({reference, *table["variant"]})]
    draw = _drawer(forest_figure, table, outcomes, reference=reference)
    plan.figures.append(Planned("forest", draw, what, used))


def _plan_tiers(sweep: Sweep, plan: Plan) -> None:
    from sim.report.plots.tiers import TIER_COLUMNS

    done = sweep.done
    if any(c not in done for c in TIER_COLUMNS):
        plan.notes.append("Tier shares: runs lack ended_* outcomes; figure omitted.")
        return
    used = done.dropna(subset=TIER_COLUMNS)
    what = (
        "Where disputes end: mean share of the disputes that arose ending at each tier "
        "(self-resolved, courtyard, community, grand mediation, litigation, petition) or "
        "abandoned, or still open, per scenario; n = runs. Shares of 10% or more are printed."
    )
    plan.figures.append(Planned("tier_shares", _drawer(tier_figure, done), what, used))


def _plan_heatmaps(sweep: Sweep, plan: Plan) -> None:
    grid = grid_parameters(sweep)
    if len(grid) != 2 or is_sensitivity(sweep):
        return
    x, y = grid
    for scenario in scenario_order(sweep.done["scenario"]):
        runs = sweep.done[sweep.done["scenario"] == scenario]
        suffix = "" if sweep.done["scenario"].nunique() == 1 else f"_{scenario}"
        for outcome in HEATMAP_OUTCOMES:
            if outcome not in runs or runs[outcome].nunique(dropna=True) < 2:
                if outcome in runs:
                    plan.notes.append(
                        f"Heatmap of {outcome} omitted: it is the same in every cell."
                    )
                continue
            what = (
                f"Mean {label_for(outcome)} over the grid of {x} (x) and {y} (y), "
                f"{scenario_label(scenario)}; each cell gives the mean and its number of "
                "replicate runs n."
            )
            plan.figures.append(
                Planned(
                    f"heatmap_{outcome}{suffix}",
                    _drawer(heatmap_figure, runs, x, y, outcome),
                    what,
                    runs,
                )
            )


def _plan_sensitivity(sweep: Sweep, plan: Plan) -> None:
    if not is_sensitivity(sweep) or sweep.single_run:
        return
    indices, method, notes = sensitivity_indices(sweep)
    plan.notes.extend(notes)
    if indices is None:
        return
    for outcome, table in indices.groupby("outcome", sort=False):
        table = table.drop(columns="outcome").reset_index(drop=True)
        effect = table["mu_star" if method == "morris" else "ST"].abs().fillna(0.0)
        if not effect.any():
            plan.notes.append(
                f"{method.capitalize()} figure of {outcome} omitted: every index is zero "
                "(the outcome does not vary over the design)."
            )
            continue
        if method == "morris":
            what = (
                f"Morris screening of {label_for(str(outcome))}: mean absolute elementary "
                "effect mu* with its 95% bootstrap interval (bars), and mu* against the "
                "spread sigma (points; above the dashed line = non-linear or interacting)."
            )
            draw = _drawer(morris_figure, table)
        else:
            what = (
                f"Sobol indices of {label_for(str(outcome))}: first order S1 and total ST "
                "with 95% bootstrap intervals (cut at -0.25 and 1.25); ST - S1 is the share "
                "due to interactions."
            )
            draw = _drawer(sobol_figure, table)
        plan.figures.append(Planned(f"{method}_{outcome}", draw, what, sweep.done))


def _plan_ecdf(sweep: Sweep, plan: Plan) -> None:
    drawn, skipped = read_disputes(sweep, sweep.done, limit=ECDF_MAX_POINTS)
    if drawn.empty:
        plan.notes.append("Time to resolution: no closed disputes in the runs; figure omitted.")
        return
    used = sweep.done[~sweep.done["run"].astype(str).isin(set(skipped))]
    sampled = [s for s, r in sampling_rates(used, ECDF_MAX_POINTS).items() if r < 1.0]
    what = (
        "Empirical cumulative distribution of time to resolution (weeks from a dispute "
        "arising to its resolution) of resolved disputes, pooled over runs, per scenario; "
        "n = resolved disputes. Abandoned disputes and those still open at the end have no "
        "resolution time and are not included."
    )
    if long_tailed(drawn["time_to_resolution"]):
        what += " The time axis is logarithmic (long tail)."
    if sampled:
        what += (
            f" Curves of {', '.join(map(str, sampled))} are drawn from a seeded random "
            f"sample of about {ECDF_MAX_POINTS:,} of their resolved disputes (n = sample size)."
        )
    notes = [f"Runs without a readable disputes.parquet: {', '.join(skipped)}."] if skipped else []
    plan.figures.append(Planned("resolution_ecdf", _drawer(ecdf_figure, drawn), what, used, notes))


def _plan_network(sweep: Sweep, plan: Plan, run: str | None) -> None:
    done = sweep.done
    if run is not None and run not in set(done["run"]):
        raise ReportError(
            f"run {run!r} is not a completed run of {sweep.root}; pass --network-run with "
            "a run folder name from runs.parquet"
        )
    chosen = done.iloc[0] if run is None else done[done["run"] == run].iloc[0]
    folder = sweep.folder(str(chosen["run"]))
    try:
        nodes = pd.read_parquet(folder / "network_nodes.parquet")
        edges = pd.read_parquet(folder / "network_edges.parquet", columns=["source", "target"])
    except (OSError, ValueError):
        plan.notes.append(f"Network: {chosen['run']} has no readable network files; omitted.")
        return
    graph, shown = community_graph(nodes, edges)
    courtyards = _ranges(shown["courtyard"])
    where = (
        f"residents of courtyards {courtyards} of one community ({graph.number_of_nodes():,} "
        f"of its {len(nodes):,} residents, {graph.number_of_edges():,} ties) at the end of "
        f"run `{chosen['run']}` ({scenario_label(str(chosen['scenario']))}, seed "
        f"{chosen['seed']}); spring layout with a fixed seed"
    )
    one = done[done["run"] == chosen["run"]]
    window = chosen.get("participation.window_weeks")
    window = int(window) if window is not None and pd.notna(window) else None
    for colour_by, text in (
        ("trust", "coloured by trust in the Party organisation (0\u20131)"),
        (
            "participation",
            "coloured by whether the resident took part "
            + (f"in the last {window} weeks" if window else "recently"),
        ),
    ):
        if NETWORK_VALUES[colour_by] not in shown:
            continue
        plan.figures.append(
            Planned(
                f"network_{colour_by}",
                _drawer(network_figure, shown, graph, colour_by, window_weeks=window),
                f"Social network of {where}, {text}.",
                one,
            )
        )


def plan_report(
    sweep: Sweep, *, reference: str | None = None, network_run: str | None = None
) -> Plan:
    """Decide which figures and tables this sweep supports (nothing is drawn yet)."""
    plan = Plan()
    ref = choose_reference(sweep, reference)
    _plan_timeseries(sweep, plan)
    _plan_forest(sweep, plan, ref)
    _plan_tiers(sweep, plan)
    _plan_heatmaps(sweep, plan)
    _plan_sensitivity(sweep, plan)
    _plan_ecdf(sweep, plan)
    _plan_network(sweep, plan, network_run)
    return plan


def check_options(style: str, width: str, formats: Sequence[str]) -> list[str]:
    """Validate the style, width and formats up front: one line naming the fix."""
    if style not in STYLE_NAMES:
        raise ReportError(
            f"unknown style {style!r}; use --style with one of: {', '.join(STYLE_NAMES)}"
        )
    if style == "science":
        try:
            import scienceplots  # noqa: F401
        except ImportError:
            raise ReportError(
                "style 'science' needs SciencePlots: pip install SciencePlots, or use --style house"
            ) from None
    if width not in WIDTHS:
        raise ReportError(f"unknown width {width!r}; use --width single, double or both")
    chosen = [f.lower().lstrip(".") for f in formats if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise ReportError(
            f"unknown format(s) {', '.join(bad) or '(none)'}; use --formats with some of: "
            + ",".join(FORMATS)
        )
    return chosen


def _summary_table(sweep: Sweep) -> pd.DataFrame:
    """Per variant (or grid cell) and outcome: n, mean, sd, 95% CI, median, 5%/95%."""
    done = sweep.done
    outcomes = [o for o in SUMMARY_OUTCOMES if o in done and pd.api.types.is_numeric_dtype(done[o])]
    grid = grid_parameters(sweep)
    by: list[str] = grid if len(grid) == 2 and not is_sensitivity(sweep) else ["variant"]
    return summarise(done, outcomes, by=by)


def _write_tables(sweep: Sweep, plan: Plan, out: Path) -> list[Path]:
    written = []
    summary = _summary_table(sweep)
    caption = (
        f"Outcomes per variant: mean with its 95% Student t-interval (t_ci_low, t_ci_high) "
        f"over {len(sweep.done)} runs; no interval below {MIN_REPLICATES} runs (see note)"
    )
    paths = write_table(summary, out / "summary", caption=caption, label="tab:summary")
    written += list(paths.values())
    if plan.comparisons is not None:
        caption = (
            f"Paired differences from {plan.reference} (same seeds): 95% Student t-interval "
            "(t_ci_low, t_ci_high) and 95% percentile bootstrap interval (boot_ci_low, "
            f"boot_ci_high); neither, nor a verdict on replicates, below {MIN_REPLICATES} "
            "pairs (see note)"
        )
        paths = write_table(
            plan.comparisons, out / "comparisons", caption=caption, label="tab:comparisons"
        )
        written += list(paths.values())
    return written


def _captions(
    sweep: Sweep, plan: Plan, files: dict[str, list[Path]], widths: Sequence[Width]
) -> str:
    excluded = excluded_line(sweep.excluded)
    sizes = " and ".join(
        f"{w} column ({SINGLE_COLUMN if w == 'single' else DOUBLE_COLUMN:g} in)" for w in widths
    )
    lines = [
        f"# Figures for `{sweep.root.name}`",
        "",
        f"Source: `{sweep.root}`, {len(sweep.runs)} run(s): {describe_status(sweep.runs)}. "
        f"Sizes: {sizes}. Only completed runs are drawn.",
    ]
    if unreadable := unreadable_line(sweep.unreadable):
        lines += ["", unreadable]
    if excluded:
        lines += ["", excluded]
    for note in plan.notes:
        lines += ["", f"Note: {note}"]
    for planned in plan.figures:
        paths = files.get(planned.name, [])
        stems = sorted({p.stem for p in paths})
        kinds = sorted({p.suffix.lstrip(".") for p in paths})
        suffixes = kinds[0] if len(kinds) == 1 else "{" + ",".join(kinds) + "}"
        listed = ", ".join(f"`figures/{stem}.{suffixes}`" for stem in stems)
        body = [planned.what, provenance(planned.runs), *planned.notes]
        if excluded:
            body.append(excluded)
        lines += ["", f"## {planned.name}", "", f"Files: {listed}", "", " ".join(body)]
    return "\n".join(lines) + "\n"


def _remove_stale(folder: Path, keep: set[Path]) -> None:
    """Drop figures of an earlier report that this one did not draw (captions must match)."""
    for path in folder.glob("*"):
        if path.is_file() and path.suffix.lstrip(".") in FORMATS and path not in keep:
            path.unlink()


def build_report(
    path: str | Path | Sweep,
    *,
    style: str = "house",
    width: str = "both",
    formats: Sequence[str] = ("pdf", "svg", "png"),
    reference: str | None = None,
    network_run: str | None = None,
    out: str | Path | None = None,
) -> Path:
    """Write the figures, tables and captions of a run or sweep folder; return report/.

    ``width`` is "single" (3.5 in), "double" (7 in) or "both"; ``reference`` is the
    variant the forest plot compares with (default chengdu_2014, else the first variant);
    ``network_run`` picks the run whose community is drawn (default the first completed).
    ``path`` may be a `Sweep` already loaded.
    """
    chosen = check_options(style, width, formats)
    sweep = path if isinstance(path, Sweep) else load_sweep(path)
    report = Path(out) if out is not None else sweep.root / "report"
    for folder in (report, report / "figures", report / "tables"):
        remove_debris(folder)  # an earlier report killed mid-file
    with use_style(style):
        plan = plan_report(sweep, reference=reference, network_run=network_run)
        files: dict[str, list[Path]] = {}
        for planned in plan.figures:
            for w in WIDTHS[width]:
                fig = planned.draw(w)
                stem = report / "figures" / f"{planned.name}_{w}"
                files.setdefault(planned.name, []).extend(save_figure(fig, stem, chosen))
    _remove_stale(report / "figures", {p for ps in files.values() for p in ps})
    _write_tables(sweep, plan, report / "tables")
    write_text(report / "captions.md", _captions(sweep, plan, files, WIDTHS[width]))
    return report
