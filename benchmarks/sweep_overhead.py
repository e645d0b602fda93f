"""Where a sweep's time goes, how many runs a minute it makes, what aggregation costs.

    python benchmarks/sweep_overhead.py overhead [--scale smoke|default] [--seeds 8]
    python benchmarks/sweep_overhead.py throughput [--runs 160] [--per-job auto,1,20]
    python benchmarks/sweep_overhead.py aggregate [--runs 10000]

`overhead` prints one JSON line: the per-run breakdown (process start and imports, Hydra
composition, model build, simulation, writing the folder, the quick-look PNG a single run
draws), and sweep wall and CPU times for the serial (basic) and joblib launchers, with one
run per Hydra job and with jiceng's batching. The slope between two sweep sizes is the cost
per run; `overhead_cpu_per_run_s` (everything but build and simulate) is set beside the
model's own build + simulate CPU seconds measured in the same process, as a ratio.
`throughput` runs the 160-run sweep of one-community, 52-week runs the README quotes, once
per launcher and `runs_per_job`, defaults otherwise (aggregation included), and prints runs
per minute, the ratio to 78 runs/min (the sweep before the quick look left sweeps) and to
the machine's ideal (every core busy with nothing but the model, measured in the same run).
`aggregate` builds a synthetic sweep of N run folders (copies of one real default-scale run
with distinct seeds) and prints the peak memory (max RSS) of aggregating it in a fresh
process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCALES = {
    "smoke": ["world.communities=2", "steps=20"],
    "default": [],
}


CPU: dict[str, float] = {}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(cmd: list[str], cwd: Path) -> float:
    """Wall seconds of a command; its CPU seconds (with its workers) go to CPU[cmd]."""
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    CPU[" ".join(cmd)] = _children_cpu() - c0
    return time.perf_counter() - t0


def _load() -> float:
    return os.getloadavg()[0]


def _import_time(cwd: Path) -> float:
    """A fresh interpreter importing what a job needs (what each new worker pays once)."""
    code = "import sim.cli, sim.run, sim.io"
    return min(_timed([sys.executable, "-c", code], cwd) for _ in range(3))


def _in_process(scale: list[str], seeds: int) -> dict[str, float]:
    """Mean seconds per run of composition, build, simulation and writing, in one process."""
    from hydra import compose, initialize_config_dir

    import sim.cli  # noqa: F401  (registers the config schema with Hydra)
    from sim.compose import config_root, finish
    from sim.io import write_run
    from sim.quicklook import draw
    from sim.run import run

    compose_s, build, sim, write, figure, cpu = [], [], [], [], [], []
    out = Path(tempfile.mkdtemp(prefix="jiceng-bench-"))
    try:
        with initialize_config_dir(config_dir=str(config_root()), version_base="1.3"):
            warm = finish(compose("config", overrides=[*scale, "output.progress=false"]))
            draw(run(warm), out / "warm-up")  # imports on first use: not a run's cost
            for seed in range(seeds):
                t0 = time.perf_counter()
                node = compose(
                    "config", overrides=[*scale, f"seed={seed}", "output.progress=false"]
                )
                cfg = finish(node)
                compose_s.append(time.perf_counter() - t0)
                c0 = time.process_time()
                result = run(cfg)
                cpu.append(time.process_time() - c0)
                build.append(result.build_time)
                sim.append(result.wall_time - result.build_time)
                t0 = time.perf_counter()
                write_run(result, out / str(seed))
                write.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                draw(result, out / str(seed))
                figure.append(time.perf_counter() - t0)
    finally:
        shutil.rmtree(out, ignore_errors=True)

    def mean(x: list[float]) -> float:
        return sum(x) / len(x)

    return {
        "compose_s": mean(compose_s),
        "build_s": mean(build),
        "simulate_s": mean(sim),
        "write_s": mean(write),
        "quicklook_png_s": mean(figure),
        "build_and_simulate_cpu_s": mean(cpu),
    }


def _sweep(
    scale: list[str], seeds: int, launcher: str, per_job: str, cwd: Path
) -> tuple[float, float]:
    """(wall, CPU) seconds of a 2-scenario sweep with `seeds` seeds each."""
    cwd.mkdir(parents=True, exist_ok=True)
    out = cwd / f"sweep-{launcher}-{per_job}"
    cmd = [
        sys.executable,
        "-m",
        "sim",
        "experiment=smoke",
        *scale,
        f"seed=range(0,{seeds})",
        f"hydra/launcher={launcher}",
        f"hydra.sweeper.runs_per_job={per_job}",
        "hydra.sweeper.aggregate=false",
        f"hydra.sweep.dir={out}",
    ]
    wall = _timed(cmd, cwd)
    return wall, CPU[" ".join(cmd)]


def overhead(scale_name: str, seeds: int) -> dict[str, Any]:
    """Sweeps at two sizes per launcher setting; the slope is the cost per run (the fixed
    start-up, validation and aggregation cost drops out). CPU seconds are reported beside
    wall seconds because CPU time is robust to other load on the machine."""
    scale = SCALES[scale_name]
    if scale_name == "default":  # smoke's 2 communities and 20 steps back to the defaults
        scale = ["world.communities=20", "steps=260"]
    small = max(1, seeds // 4)
    load_before = _load()
    cwd = Path(tempfile.mkdtemp(prefix="jiceng-bench-"))
    try:
        per_run = _in_process(scale, min(seeds, 4))
        measured = {
            f"{launcher}_{per_job}": {
                n: _sweep(scale, n, launcher, per_job, cwd / str(n)) for n in (small, seeds)
            }
            for launcher in ("basic", "joblib")
            for per_job in ("1", "auto")
        }
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    d_runs = 2 * (seeds - small)
    wall = {k: (v[seeds][0] - v[small][0]) / d_runs for k, v in measured.items()}
    cpu = {k: (v[seeds][1] - v[small][1]) / d_runs for k, v in measured.items()}
    model_cpu = per_run["build_and_simulate_cpu_s"]
    return {
        "scale": scale_name,
        "runs": [2 * small, 2 * seeds],
        "cores": os.cpu_count(),
        "load_average_before_after": [load_before, _load()],
        "process_start_and_imports_s": _import_time(Path.cwd()),
        "per_run_in_process_s": per_run,
        "sweep_wall_s": {
            k: {str(2 * n): w for n, (w, _) in v.items()} for k, v in measured.items()
        },
        "wall_per_run_s": wall,
        "cpu_per_run_s": cpu,
        "overhead_cpu_per_run_s": {k: c - model_cpu for k, c in cpu.items()},
        "overhead_over_model": {k: (c - model_cpu) / model_cpu for k, c in cpu.items()},
        "speedup_joblib_vs_basic": {
            pj: wall[f"basic_{pj}"] / wall[f"joblib_{pj}"] for pj in ("1", "auto")
        },
        "speedup_batched_joblib_vs_serial_unbatched": wall["basic_1"] / wall["joblib_auto"],
    }


THROUGHPUT_RUN = ["scenario=chengdu_2014", "world.communities=1", "steps=52"]
BEFORE_RUNS_PER_MIN = 78.0
"""The 160-run sweep on this machine before (issue 14): joblib, quick-look PNGs, 2 cores."""


def throughput(runs: int, launchers: list[str], per_jobs: list[str]) -> dict[str, Any]:
    """Runs per minute of a `runs`-run sweep of THROUGHPUT_RUN, per launcher and batching."""
    cwd = Path(tempfile.mkdtemp(prefix="jiceng-bench-"))
    load_before = _load()
    try:
        model = _model_seconds(THROUGHPUT_RUN, 3)
        out: dict[str, Any] = {}
        for launcher in launchers:
            for per_job in per_jobs:
                folder = cwd / f"{launcher}-{per_job}"
                cmd = [
                    sys.executable, "-m", "sim", "-m", *THROUGHPUT_RUN,
                    f"seed=range(0,{runs})", f"hydra/launcher={launcher}",
                    f"hydra.sweeper.runs_per_job={per_job}", f"hydra.sweep.dir={folder}",
                    "hydra.sweeper.progress=false",
                ]  # fmt: skip
                wall = _timed(cmd, cwd)
                per_min = runs / wall * 60
                out[f"{launcher}_{per_job}"] = {
                    "wall_s": wall,
                    "cpu_s": CPU[" ".join(cmd)],
                    "runs_per_min": per_min,
                    "ratio_to_78_per_min": per_min / BEFORE_RUNS_PER_MIN,
                }
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    cores = os.cpu_count() or 1
    ideal = 60 * cores / model
    for v in out.values():
        v["ratio_to_ideal"] = v["runs_per_min"] / ideal
    return {
        "runs": runs,
        "run": THROUGHPUT_RUN,
        "cores": cores,
        "load_average_before_after": [load_before, _load()],
        "model_build_and_simulate_cpu_s": model,
        "ideal_runs_per_min": ideal,
        "sweeps": out,
        "best": max(out, key=lambda k: out[k]["runs_per_min"]),
    }


def _model_seconds(overrides: list[str], n: int) -> float:
    """Median CPU seconds of build + simulate of one run, in a fresh process."""
    code = (
        "import sys, time\n"
        "from sim.run import run\n"
        "kw = dict(a.split('=', 1) for a in sys.argv[1:])\n"
        "sc = kw.pop('scenario')\n"
        "kw = {k: int(v) for k, v in kw.items()}\n"
        f"for seed in range({n}):\n"
        "    t = time.process_time(); run(scenario=sc, seed=seed, **kw)\n"
        "    print(time.process_time() - t)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *overrides], capture_output=True, text=True, check=True
    )
    times = sorted(float(x) for x in proc.stdout.split())
    return times[len(times) // 2]


def _synthetic_sweep(root: Path, runs: int) -> None:
    """`runs` folders copied from one real default-scale run (hard links for the parquet)."""
    from sim.io import write_run
    from sim.run import run

    template = root / "_template"
    write_run(run(scenario="chengdu_2014", seed=0, **{"output.progress": False}), template)
    meta = json.loads((template / "meta.json").read_text())
    summary = (template / "summary.json").read_text()
    for i in range(runs):
        folder = root / f"scenario=chengdu_2014,seed={i}"
        folder.mkdir()
        os.link(template / "timeseries.parquet", folder / "timeseries.parquet")
        (folder / "summary.json").write_text(summary)
        (folder / "meta.json").write_text(
            json.dumps({**meta, "seed": i, "variant": "chengdu_2014"})
        )
    shutil.rmtree(template)


def aggregate_memory(runs: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="jiceng-agg-"))
    try:
        t0 = time.perf_counter()
        _synthetic_sweep(root, runs)
        built = time.perf_counter() - t0
        code = (
            "import resource, sys, time\n"
            "from sim.report.aggregate import aggregate\n"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "t = time.perf_counter(); r = aggregate(sys.argv[1]); t = time.perf_counter() - t\n"
            "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "print(base, peak, t, r.n_runs)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True
        ).stdout.split()
        base_kb, peak_kb, seconds, n = int(out[0]), int(out[1]), float(out[2]), int(out[3])
        sizes = {
            p.name: p.stat().st_size for p in (root / "runs.parquet", root / "timeseries.parquet")
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {
        "runs": n,
        "synthesis_s": built,
        "aggregate_s": seconds,
        "peak_rss_mb": peak_kb / 1024,
        "rss_after_imports_mb": base_kb / 1024,
        "output_bytes": sizes,
        "self_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    o = sub.add_parser("overhead")
    o.add_argument("--scale", choices=sorted(SCALES), default="smoke")
    o.add_argument("--seeds", type=int, default=8, help="seeds per scenario (2 scenarios)")
    t = sub.add_parser("throughput")
    t.add_argument("--runs", type=int, default=160)
    t.add_argument("--launchers", default="basic,joblib")
    t.add_argument("--per-job", default="auto", help="runs_per_job values, comma-separated")
    a = sub.add_parser("aggregate")
    a.add_argument("--runs", type=int, default=10_000)
    args = p.parse_args()
    if args.what == "overhead":
        result = overhead(args.scale, args.seeds)
    elif args.what == "throughput":
        result = throughput(args.runs, args.launchers.split(","), args.per_job.split(","))
    else:
        result = aggregate_memory(args.runs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
