"""Throughput benchmark: this model's resident-steps/s against Mesa's VirusOnNetwork.

    python benchmarks/throughput.py --residents 100000

prints one JSON line. The reference is Mesa's own VirusOnNetwork example (its agents and
step), built at the same N in the same process with a seeded `fast_gnp_random_graph` and
`Network(layout=None)` (the example's unseeded Erdos-Renyi graph and default spring layout
would be neither reproducible nor buildable at this size). Ratios, not wall-clock
thresholds, are what we track: both sides run on the same machine in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
import tracemalloc

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import CellCollection, Network
from mesa.examples.basic.virus_on_network.agents import State, VirusAgent
from mesa.examples.basic.virus_on_network.model import VirusOnNetwork

from sim import GovernanceModel
from sim.compose import load_config


class SeededVirusOnNetwork(VirusOnNetwork):
    """Mesa's VirusOnNetwork with a seeded graph and no spring layout; same agents/step."""

    def __init__(self, num_nodes: int, avg_node_degree: float = 3, rng: int = 0) -> None:
        mesa.Model.__init__(self, rng=rng)
        graph = nx.fast_gnp_random_graph(num_nodes, avg_node_degree / num_nodes, seed=rng)
        self.grid = Network(graph, capacity=1, random=self.random, layout=None)
        self.initial_outbreak_size = 10
        self.datacollector = mesa.DataCollector({})
        VirusAgent.create_agents(
            self, num_nodes, State.SUSCEPTIBLE, 0.4, 0.4, 0.3, 0.5, list(self.grid.all_cells)
        )
        infected = CellCollection(
            self.random.sample(list(self.grid.all_cells), 10), random=self.random
        )
        for a in infected.agents:
            a.state = State.INFECTED
        self.running = True


def communities_for(residents: int, scenario: str) -> int:
    probe = GovernanceModel(scenario, rng=0, **{"world.communities": 4})
    per = probe.pop.n / 4
    return max(1, math.ceil(residents / per))


MUTABLE = ("grievance", "trust", "last_part", "registered", "arrival", "floating", "age")


def resident_state_bytes(model: GovernanceModel) -> tuple[int, int]:
    """(bytes read, bytes written) of resident state per step, counted as every per-resident
    array read once and the state a week changes (grievance, trust, participation,
    registration, turnover) written once: a lower bound on the traffic a step needs."""
    pop, n = model.pop, model.pop.n
    read = written = 0
    for name, value in vars(pop).items():
        arrays = value.values() if isinstance(value, dict) else [value]
        for array in arrays:
            if isinstance(array, np.ndarray) and len(array) == n:
                read += array.nbytes
                if name in MUTABLE:
                    written += array.nbytes
    return read, written


def stream_bandwidth(megabytes: int = 256, repeats: int = 5) -> float:
    """Bytes per second of a numpy streaming copy (read + write), best of `repeats`."""
    a = np.ones(megabytes * 2**20 // 8)
    b = np.empty_like(a)
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.perf_counter() - t0)
    return 2 * a.nbytes / best


def time_steps(model: mesa.Model, steps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--residents", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=52)
    ap.add_argument("--reference-steps", type=int, default=None, help="default: --steps")
    ap.add_argument("--warmup", type=int, default=8, help="untimed steps of our model first")
    ap.add_argument("--scenario", default="chengdu_2014")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    n_comm = communities_for(args.residents, args.scenario)
    cfg = load_config(
        args.scenario, {"world.communities": n_comm, "steps": args.warmup + args.steps + 1}
    )
    tracemalloc.start()
    t0 = time.perf_counter()
    model = GovernanceModel(config=cfg, rng=args.seed)
    build = time.perf_counter() - t0
    _, build_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = model.pop.n
    time_steps(model, args.warmup)  # settle queues and organisations before timing
    ours = time_steps(model, args.steps)
    ours_rate = n * args.steps / ours
    read, written = resident_state_bytes(model)
    bandwidth = stream_bandwidth()
    bound = (read + written) / bandwidth

    t0 = time.perf_counter()
    ref = SeededVirusOnNetwork(n, rng=args.seed)
    ref_build = time.perf_counter() - t0
    ref_steps = args.reference_steps or args.steps
    ref_time = time_steps(ref, ref_steps)
    ref_rate = n * ref_steps / ref_time

    print(
        json.dumps(
            {
                "scenario": args.scenario,
                "residents": n,
                "communities": n_comm,
                "steps": args.steps,
                "resident_steps_per_s": round(ours_rate),
                "reference": "mesa VirusOnNetwork (seeded fast_gnp_random_graph, layout=None)",
                "reference_agent_steps_per_s": round(ref_rate),
                "ratio": round(ours_rate / ref_rate, 1),
                "step_ms": round(1000 * ours / args.steps, 2),
                "resident_state_bytes_per_step": {"read": read, "written": written},
                "stream_bandwidth_gb_s": round(bandwidth / 1e9, 2),
                "bandwidth_bound_ms": round(1000 * bound, 3),
                "step_over_bandwidth_bound": round(ours / args.steps / bound, 1),
                "build_s": round(build, 2),
                "reference_build_s": round(ref_build, 2),
                "build_peak_traced_mb": round(build_peak / 2**20, 1),
                "process_max_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                ),
                "python": sys.version.split()[0],
                "mesa": mesa.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
