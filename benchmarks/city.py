"""City benchmark: the whole city for one simulated year, from the command line to a run folder.

    python benchmarks/city.py                   # one JSON line (about 2 minutes here)
    python benchmarks/city.py --scaling 20,100,654,2000 --scenario chengdu_2014

The default line reports: `jiceng scenario=chengdu_city steps=52` run as a subprocess to a
completed run folder (wall time, the child's peak RSS, the folder's size), and the model
build (world, population, ties, institutions) at 100,000 residents, 1 million and the city,
each in a fresh subprocess, as seconds and microseconds per resident. The reference,
measured in the same run, is the networkx build this one replaced: one
`networkx.watts_strogatz_graph` per courtyard for the same 100,000 residents. `--scaling`
prints one line per size (residents, build s, 52 steps s, peak RSS) instead. `--set` adds
dotted overrides to every run (e.g. to reproduce the city on an older checkout).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GIB = 2**30


def _value(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)


def _overrides(pairs: list[str]) -> dict[str, Any]:
    return {k: _value(v) for k, _, v in (p.partition("=") for p in pairs)}


# ------------------------------------------------------------------ in a subprocess


def worker(scenario: str, overrides: dict[str, Any], steps: int) -> dict[str, Any]:
    """Build one model (and step it `steps` weeks); runs inside a fresh interpreter."""
    import resource

    from sim import GovernanceModel
    from sim.compose import load_config

    cfg = load_config(scenario, {"world.resident_agents": False, **overrides})
    t0, c0 = time.perf_counter(), time.process_time()
    model = GovernanceModel(config=cfg, rng=0)
    build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    burn_in = model.burn_in_seconds  # the constructor runs the burn-in; a build is without it
    build -= burn_in  # (build_cpu_s still holds the burn-in's CPU time)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    stepped, stepped_cpu = time.perf_counter() - t0, time.process_time() - c0
    pop = model.pop
    return {
        "communities": model.world.n_communities,
        "residents": pop.n,
        "people": getattr(pop, "people", pop.n),
        "ties": int(len(model.graph.indices) // 2),
        "build_s": build,
        "build_cpu_s": build_cpu,
        "burn_in_s": burn_in,
        "steps": steps,
        "steps_s": stepped,
        "steps_cpu_s": stepped_cpu,
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB,
    }


def in_subprocess(scenario: str, overrides: dict[str, Any], steps: int = 0) -> dict[str, Any]:
    args = [sys.executable, __file__, "--worker", "--scenario", scenario, "--steps", str(steps)]
    args += ["--set", *(f"{k}={v}" for k, v in overrides.items())]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark worker failed: {out.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def communities_for(residents: int, scenario: str, overrides: dict[str, Any]) -> int:
    probe = in_subprocess(scenario, {**overrides, "world.communities": 20})
    return max(1, math.ceil(residents * 20 / probe["residents"]))


# ------------------------------------------------------------------------ measures


def networkx_reference(residents: int, seed: int = 0) -> float:
    """Seconds for one networkx Watts-Strogatz graph per courtyard of chengdu_2014's sizes
    covering `residents` (the per-courtyard build the vectorised one replaced)."""
    import networkx as nx
    import numpy as np

    from sim.compose import load_config
    from sim.population import build_population
    from sim.rng import streams
    from sim.world import build_world

    cfg = load_config("chengdu_2014", {"world.communities": 20})
    rs = streams(seed)
    pop = build_population(cfg.world, build_world(cfg.world, rs["world"]), rs["population"])
    sizes = np.bincount(pop.courtyard)
    sizes = np.resize(sizes, math.ceil(residents / sizes.mean()))
    t0 = time.perf_counter()
    for i, n in enumerate(sizes.tolist()):
        g = nx.watts_strogatz_graph(n, 4, 0.05, seed=i) if n > 4 else nx.complete_graph(n)
        np.fromiter((x for e in g.edges() for x in e), dtype=np.int64)
    return time.perf_counter() - t0


def cli_run(scenario: str, overrides: dict[str, Any], steps: int) -> dict[str, Any]:
    """`jiceng scenario=... steps=...` to a completed run folder, in a subprocess."""
    exe = Path(sys.executable).with_name("jiceng")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "sim"]
    folder = Path(tempfile.mkdtemp(prefix="jiceng-city-"))
    try:
        args = [
            f"scenario={scenario}",
            f"steps={steps}",
            "output.progress=false",
            f"hydra.run.dir={folder}",
            *(f"{k}={v}" for k, v in overrides.items()),
        ]
        with tempfile.TemporaryFile("w+") as err:
            t0 = time.perf_counter()
            child = subprocess.Popen([*command, *args], stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)  # the child's own peak RSS
            wall = time.perf_counter() - t0
            code = os.waitstatus_to_exitcode(status)
            child.returncode = code
            err.seek(0)
            if code != 0:
                raise SystemExit(f"jiceng failed ({code}): {err.read().strip()[-500:]}")
        meta = json.loads((folder / "meta.json").read_text())
        summary = json.loads((folder / "summary.json").read_text())
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        return {
            "status": meta["status"],
            "residents": summary["residents"],
            "disputes": summary["disputes"],
            "wall_s": wall,
            "build_s": meta["build_time_s"],
            "run_s": meta["wall_time_s"],
            "peak_rss_gib": usage.ru_maxrss * 1024 / GIB,
            "run_folder_mb": size / 2**20,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _round(d: dict[str, Any], digits: int = 3) -> dict[str, Any]:
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in d.items()}


def estimated_peak_gib(scenario: str, overrides: dict[str, Any], steps: int) -> float | None:
    """sim.capacity's estimate for the same run (None on a checkout without it)."""
    try:
        from sim import capacity
    except ImportError:
        return None
    from sim.compose import load_config

    cfg = load_config(scenario, {**overrides, "steps": steps})
    return round(capacity.estimate_bytes(cfg) / GIB, 3)


def city_line(args: argparse.Namespace, overrides: dict[str, Any]) -> dict[str, Any]:
    city = cli_run(args.scenario, overrides, args.steps)
    city["estimated_peak_gib"] = estimated_peak_gib(args.scenario, overrides, args.steps)
    base = {k: v for k, v in overrides.items() if k != "world.communities"}
    small = {**base, "world.communities": communities_for(100_000, args.scenario, base)}
    million = {**base, "world.communities": communities_for(1_000_000, args.scenario, base)}
    builds = {
        "100k": in_subprocess(args.scenario, small),
        "1M": in_subprocess(args.scenario, million),
        "city": in_subprocess(args.scenario, overrides),
    }
    reference = networkx_reference(builds["100k"]["residents"])
    per = {k: b["build_s"] / b["residents"] * 1e6 for k, b in builds.items()}
    return {
        "benchmark": "city",
        "date": datetime.date.today().isoformat(),
        "scenario": args.scenario,
        "steps": args.steps,
        "overrides": overrides,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "city": _round(city),
        "city_people": builds["city"]["people"],
        "build_100k_s": round(builds["100k"]["build_s"], 3),
        "build_100k_residents": builds["100k"]["residents"],
        "build_us_per_resident": {k: round(v, 3) for k, v in per.items()},
        "build_residents": {k: b["residents"] for k, b in builds.items()},
        "build_peak_rss_gib": {k: round(b["peak_rss_gib"], 3) for k, b in builds.items()},
        "reference": "networkx.watts_strogatz_graph per courtyard, same 100k residents",
        "reference_s": round(reference, 3),
        "build_100k_vs_reference": round(builds["100k"]["build_s"] / reference, 3),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="chengdu_city")
    ap.add_argument("--steps", type=int, default=52)
    ap.add_argument("--set", nargs="*", default=[], help="dotted overrides for every run")
    ap.add_argument("--scaling", default=None, help="comma-separated world.communities")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    overrides = _overrides(args.set)
    if args.worker:
        print(json.dumps(worker(args.scenario, overrides, args.steps)))
        return
    if args.scaling:
        for c in (int(x) for x in args.scaling.split(",")):
            row = in_subprocess(args.scenario, {**overrides, "world.communities": c}, args.steps)
            row["step_s"] = row["steps_s"] / max(row["steps"], 1)
            print(json.dumps({"scenario": args.scenario, **_round(row)}), flush=True)
        return
    print(json.dumps(city_line(args, overrides)))


if __name__ == "__main__":
    main()
