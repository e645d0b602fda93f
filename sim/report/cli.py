"""`jiceng-report`: tables, comparisons and sensitivity indices from a sweep folder.

    jiceng-report aggregate DIR                  runs.parquet + timeseries.parquet
    jiceng-report compare DIR --reference NAME   paired (CRN) differences with CIs
    jiceng-report sensitivity DIR                Morris/Sobol index tables
    jiceng-report discover DIR --where "petitions > q90"   PRIM boxes (scenario discovery)
    jiceng-report robustness DIR                 where each conclusion holds over assumptions
    jiceng-report quicklook DIR                  each run's quick-look PNG, drawn now
    jiceng-report DIR                            the figures (the `figures` subcommand)

Each subcommand is one entry of `COMMANDS`: a function adding its arguments and one
running it. Bad input gives one line naming the problem and the fix, and exit code 2. A
run whose files cannot be read is named on stderr and left out of everything; the command
then exits with `EXIT_UNREADABLE` unless `--allow-missing` is given. Run folders are only
read: every table goes to the sweep folder or `report/` below a single run folder.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_USAGE = 2
EXIT_UNREADABLE = 3
"""The command wrote its output but left out runs whose files could not be read."""
DEFAULT_COMMAND = "figures"  # `jiceng-report DIR` means `jiceng-report figures DIR`


class UsageError(Exception):
    """Bad input: the message is the one line shown to the user."""


@dataclass(frozen=True)
class Command:
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# ------------------------------------------------------------------ unreadable runs


def add_allow_missing(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="exit 0 although some runs could not be read (they are left out either way)",
    )


def warn_unreadable(unreadable: Any, allow_missing: bool) -> int:
    """Name each unreadable run (a frame with `run`, `error`) on stderr; return the exit
    code: EXIT_UNREADABLE when there are some, unless allowed."""
    if len(unreadable) == 0:
        return 0
    for run, error in unreadable[["run", "error"]].itertuples(index=False):
        print(
            f"jiceng-report: warning: run {run}: {error}; left out of every table and figure",
            file=sys.stderr,
        )
    if allow_missing:
        return 0
    print(
        f"jiceng-report: error: {len(unreadable)} run(s) could not be read (named above); "
        "re-run the sweep to redo them, or pass --allow-missing to accept "
        "the output without them",
        file=sys.stderr,
    )
    return EXIT_UNREADABLE


def _tables(folder: Path) -> Any:
    from sim.report.aggregate import load

    return load(folder)  # aggregated again when a run file is newer than the tables


# ------------------------------------------------------------------ aggregate


def _add_aggregate(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a sweep folder (one folder per run), or one run")
    add_allow_missing(p)


def _run_aggregate(a: argparse.Namespace) -> int:
    import pandas as pd

    from sim.report.aggregate import aggregate

    report = aggregate(a.dir)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(report.status_counts.items()))
    print(f"{report.n_runs} runs ({counts}) -> {report.runs_path}, {report.timeseries_path}")
    bad = pd.DataFrame(list(report.unreadable.items()), columns=["run", "error"])
    return warn_unreadable(bad, a.allow_missing)


# ------------------------------------------------------------------ compare


def _tolerance(text: str | None) -> float | dict[str, float] | None:
    """`0.01` for every outcome, or `resolution_rate=0.01,petitions=2`."""
    if text is None:
        return None
    try:
        if "=" not in text:
            return float(text)
        return {k.strip(): float(v) for k, v in (item.split("=", 1) for item in text.split(","))}
    except ValueError:
        raise UsageError(
            f"bad --tolerance {text!r}: give a number or outcome=number pairs separated by commas"
        ) from None


def _add_compare(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a sweep folder")
    p.add_argument("--reference", required=True, help="the variant (scenario) to compare with")
    p.add_argument("--outcomes", help="comma-separated outcomes (default: all that vary)")
    p.add_argument("--by", default="variant", help="column naming the variants")
    p.add_argument(
        "--tolerance",
        help="target 95%% CI half-width: a number or outcome=number,... "
        "(default: 5%% of |reference mean|)",
    )
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--unpaired", action="store_true", help="Welch (ignore pairing), for contrast")
    p.add_argument("--out", type=Path, help="table stem (default DIR/compare_<reference>)")
    add_allow_missing(p)


def _run_compare(a: argparse.Namespace) -> int:
    from sim.report.aggregate import tables_dir
    from sim.report.stats import compare
    from sim.report.tables import to_markdown, write_table

    outcomes = [o.strip() for o in a.outcomes.split(",")] if a.outcomes else None
    tables = _tables(a.dir)
    table = compare(
        tables,
        a.reference,
        outcomes,
        by=a.by,
        paired=not a.unpaired,
        tolerance=_tolerance(a.tolerance),
        confidence=a.confidence,
    )
    kind = "paired by seed" if not a.unpaired else "unpaired, Welch"
    name = f"compare_{a.reference}{'_unpaired' if a.unpaired else ''}"
    stem = a.out or tables_dir(a.dir) / name
    caption = (
        f"Differences from {a.reference} ({kind}): {a.confidence:.0%} Student t-interval "
        f"(t_ci_low, t_ci_high) and percentile bootstrap interval (boot_ci_low, boot_ci_high)"
    )
    paths = write_table(table, stem, caption=caption)
    print(to_markdown(table), end="")
    print(f"-> {paths['csv']}, {paths['md']}, {paths['tex']}")
    return warn_unreadable(tables.unreadable, a.allow_missing)


# ------------------------------------------------------------------ sensitivity


def _add_sensitivity(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a sweep folder of a sensitivity experiment")
    add_allow_missing(p)


def _run_sensitivity(a: argparse.Namespace) -> int:
    import pandas as pd

    from sim.report.sensitivity import sensitivity_report
    from sim.report.tables import to_markdown

    paths, notes = sensitivity_report(a.dir)
    for note in notes:
        print(note, file=sys.stderr)
    if not paths:
        raise UsageError(notes[-1] if notes else "no sensitivity indices could be computed")
    print(to_markdown(pd.read_csv(paths["csv"])), end="")
    print(f"-> {paths['csv']}, {paths['md']}, {paths['tex']}")
    return warn_unreadable(_tables(a.dir).unreadable, a.allow_missing)


# ------------------------------------------------------------------ discover


def _add_discover(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a sweep folder (its runs.parquet)")
    p.add_argument("--where", required=True, help='the case of interest: "petitions > q90"')
    p.add_argument("--outcome", help="the outcome the condition is on (or name it in --where)")
    p.add_argument("--min-coverage", type=float, default=0.5, help="choose the densest box "
                   "with at least this coverage (default 0.5)")  # fmt: skip
    p.add_argument("--box", type=int, help="choose this box of the peeling trajectory instead")
    p.add_argument("--out", type=Path, help="folder (default DIR/discovery/<condition>)")


def _run_discover(a: argparse.Namespace) -> int:
    from sim.report.discover import discover
    from sim.report.tables import to_markdown

    result, paths = discover(
        a.dir, a.where, a.outcome, min_coverage=a.min_coverage, box=a.box, out=a.out
    )
    s = result.stats
    print(
        f"{s['condition']}: {s['cases_of_interest']} of {s['runs']} runs; box {s['box']} "
        f"coverage {s['coverage']:.2f}, density {s['density']:.2f}, mass {s['mass']:.2f}"
    )
    print(to_markdown(result.box), end="")
    print(f"-> {paths['box']}, {paths['trajectory']}, {paths['figure']}")
    return 0


# ------------------------------------------------------------------ robustness


def _add_robustness(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a sweep pairing scenarios on design points")
    p.add_argument(
        "--seeds",
        type=Path,
        metavar="REF",
        help="a sweep of the same scenarios over seeds at the default assumptions: adds the "
        "share of its seeds where each conclusion holds",
    )


def _run_robustness(a: argparse.Namespace) -> int:
    import pandas as pd

    from sim.report.robustness import robustness_report
    from sim.report.tables import to_markdown

    paths, notes = robustness_report(a.dir, a.seeds)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    table = pd.read_csv(paths["robustness"])
    shown = ["conclusion", "points", "share_holds", "effect_median"]
    shown += ["seeds", "seed_share_holds"] if a.seeds is not None else []
    print(to_markdown(table[shown]), end="")
    print("-> " + ", ".join(str(p) for p in paths.values()))
    return 0


# ------------------------------------------------------------------ quick looks


def _add_quicklook(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a sweep folder (or one run folder)")
    p.add_argument("--out", type=Path, help="folder of the PNGs (default DIR/report/quicklook)")
    p.add_argument("--limit", type=int, help="draw at most this many runs (in folder order)")


def _run_quicklook(a: argparse.Namespace) -> int:
    """The quick look a single `jiceng` run draws, for each completed run of a sweep (whose
    runs draw none by default); the run folders are only read."""
    from sim.io import is_completed
    from sim.quicklook import draw_from_folder
    from sim.report.aggregate import run_folders

    folders = [f for f in run_folders(a.dir) if is_completed(f)]
    if not folders:
        raise UsageError(f"no completed runs in {a.dir}; run the sweep first")
    out = a.out or a.dir / "report" / "quicklook"
    for folder in folders[: a.limit]:
        draw_from_folder(folder, out / f"{folder.name}.png")
    print(f"{len(folders[: a.limit])} quick looks -> {out}")
    return 0


# ------------------------------------------------------------------ figures


def _add_figures(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a sweep folder or a single run folder")
    p.add_argument("--style", default="house", help="house (default) or science (SciencePlots)")
    p.add_argument("--width", default="both", help="single, double or both (default)")
    p.add_argument("--reference", help="variant the forest plot compares with")
    p.add_argument("--formats", default="pdf,svg,png", help="comma-separated (default pdf,svg,png)")
    p.add_argument("--network-run", help="run folder whose community network is drawn")
    p.add_argument("--out", type=Path, help="report folder (default DIR/report)")
    add_allow_missing(p)


def _run_figures(a: argparse.Namespace) -> int:
    """`build_report`; unreadable runs are named and give EXIT_UNREADABLE unless allowed."""
    from sim.report.loading import load_sweep
    from sim.report.plan import build_report, check_options

    formats = [f.strip() for f in str(a.formats).split(",")]
    check_options(a.style, a.width, formats)
    sweep = load_sweep(a.dir)
    report = build_report(
        sweep,
        style=a.style,
        width=a.width,
        formats=formats,
        reference=a.reference,
        network_run=a.network_run,
        out=a.out,
    )
    figures = sorted((report / "figures").glob("*.pdf")) or sorted((report / "figures").iterdir())
    print(f"{len(figures)} figure files, tables and captions -> {report}")
    return warn_unreadable(sweep.unreadable, a.allow_missing)


def experiment_script(
    doc: str, draw: Callable[[Any, Path], None], argv: Sequence[str] | None = None
) -> int:
    """The command line shared by `experiments/NAME.py SWEEP [--out DIR]`: load the sweep
    (aggregating first if needed), then `draw(sweep, out)` in the house style."""
    from sim.report.aggregate import AggregateError
    from sim.report.loading import load_sweep
    from sim.report.style import use_style

    p = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    p.add_argument("sweep", type=Path)
    p.add_argument("--out", type=Path, help="default: SWEEP/paper")
    args = p.parse_args(argv)
    out = args.out or args.sweep / "paper"
    try:
        sweep = load_sweep(args.sweep)  # completed runs only are drawn
        with use_style("house"):
            draw(sweep, out)
    except AggregateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"figures -> {out}")
    return 0


COMMANDS: dict[str, Command] = {
    "aggregate": Command(
        "write runs.parquet and timeseries.parquet", _add_aggregate, _run_aggregate
    ),
    "compare": Command(
        "compare variants with a reference, paired by seed", _add_compare, _run_compare
    ),
    "sensitivity": Command("Morris/Sobol index tables", _add_sensitivity, _run_sensitivity),
    "discover": Command("scenario discovery (PRIM) on runs.parquet", _add_discover, _run_discover),
    "robustness": Command(
        "share of the assumption space where each conclusion holds",
        _add_robustness,
        _run_robustness,
    ),
    "quicklook": Command("each run's quick-look PNG", _add_quicklook, _run_quicklook),
    "figures": Command("draw the sweep's figures (default)", _add_figures, _run_figures),
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jiceng-report",
        description="Tables, comparisons and figures from a jiceng sweep folder.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, cmd in COMMANDS.items():
        cmd.add_arguments(sub.add_parser(name, help=cmd.help, description=cmd.help))
    return p


def _with_default_command(argv: list[str]) -> list[str]:
    """`jiceng-report DIR ...` -> `jiceng-report figures DIR ...`."""
    first = next((a for a in argv if not a.startswith("-")), None)
    if (
        first is not None
        and first not in COMMANDS
        and not any(a in ("-h", "--help") for a in argv[:1])
    ):
        return [DEFAULT_COMMAND, *argv]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    from sim.report.aggregate import AggregateError

    args = _with_default_command(list(sys.argv[1:] if argv is None else argv))
    p = parser()
    if not args:
        p.print_help(sys.stderr)
        return EXIT_USAGE
    ns = p.parse_args(args)
    try:
        return COMMANDS[ns.command].run(ns)
    except (UsageError, AggregateError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"jiceng-report: error: {first}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
