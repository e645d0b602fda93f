"""The mediation ladder: self-settlement -> courtyard -> community -> grand mediation ->
litigation, with petition as a costly exit from any tier.

Each tier is a set of multi-server queues (`sim.processes.queues`), one per unit: a
courtyard, a community, a street, or the city. A unit with no servers is absent, and a
dispute passes over it. Self-settlement is infinite-server: the parties serve themselves.
A dispute's success at a tier is logistic in its severity, the initiator's trust in the
tier's institution and early detection. After a failure it petitions, escalates to the
next present tier, or is abandoned (which raises grievance). A dispute only moves up.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.config import (
    DISPUTE_KINDS,
    TIER_UNITS,
    TIERS,
    DisputeConfig,
    MediationConfig,
    TierConfig,
)
from sim.ledger import ABANDONED, Ledger
from sim.population import Population
from sim.processes.queues import Pool, advance, service_time

SELF, COURTYARD, COMMUNITY, GRAND, LITIGATION, PETITION = range(len(TIERS))
TIER_INSTITUTION: dict[int, str | None] = {
    SELF: None,
    COURTYARD: "mediation",
    COMMUNITY: "mediation",
    GRAND: "mediation",
    LITIGATION: "court",
    PETITION: "government",
}


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def server_counts(
    per_unit: float, n_units: int, unit: str, residents: int, u: np.ndarray
) -> np.ndarray:
    """Integer servers per unit: floor plus a Bernoulli remainder from fixed uniforms `u`.

    City-level tiers count servers per 100,000 residents. Fixed per-unit uniforms mean that
    raising capacity only adds servers (common random numbers across capacity variants).
    """
    if unit == "city":
        total = per_unit * residents / 100_000.0
        return np.array([int(total) + int(u[0] < total - int(total))], dtype=np.int64)
    base = math.floor(per_unit)
    return (base + (u[:n_units] < per_unit - base)).astype(np.int64)


@dataclass
class StepTally:
    """What the ladder did in one step."""

    entered: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    resolved: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    abandoned: int = 0
    wait_sum: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS)))
    started: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    durations: list[float] = field(default_factory=list)
    resolved_ids: list[int] = field(default_factory=list)
    failed: list[tuple[int, int]] = field(default_factory=list)  # (dispute, tier)
    abandoned_ids: list[int] = field(default_factory=list)


class Ladder:
    def __init__(
        self,
        cfg: MediationConfig,
        ledger: Ledger,
        pop: Population,
        unit_counts: dict[str, int],
        capacity_uniforms: dict[str, np.ndarray],
        kind_bias: np.ndarray,
    ) -> None:
        self.ledger = ledger
        self.kind_bias = kind_bias  # petition multiplier per dispute kind
        self.pop = pop
        self.unit_counts = unit_counts
        self.capacity_uniforms = capacity_uniforms
        self.pools: list[dict[int, Pool]] = [{} for _ in TIERS]
        self.active: list[set[int]] = [set() for _ in TIERS]
        self.in_service: list[list[tuple[float, int]]] = [[] for _ in TIERS]
        self.pending: list[tuple[float, int]] = []  # (entry time, dispute) not yet on ladder
        self.self_arrivals: list[tuple[float, int]] = []
        self.configure(cfg)

    # ------------------------------------------------------------------ capacity

    def configure(self, cfg: MediationConfig, extra: dict[int, np.ndarray] | None = None) -> None:
        """(Re)read tier settings and server counts, e.g. when a reform switches on.

        `extra` adds servers per unit to a tier (mediators offered by social organisations).
        """
        self.cfg = cfg
        self.tier_cfg: list[TierConfig] = [getattr(cfg, name) for name in TIERS]
        self.servers: list[np.ndarray] = []
        for j, name in enumerate(TIERS):
            unit = TIER_UNITS[name]
            if unit == "dispute":
                self.servers.append(np.array([1], dtype=np.int64))
                continue
            counts = server_counts(
                self.tier_cfg[j].servers,
                self.unit_counts[unit],
                unit,
                self.pop.n,
                self.capacity_uniforms[name],
            )
            if extra is not None and j in extra:
                counts = counts + np.round(extra[j]).astype(np.int64)
            self.servers.append(counts)
            for u, pool in self.pools[j].items():
                pool.resize(int(counts[u]))
        self._logit = [logit(tc.success) for tc in self.tier_cfg]

    def unit_of(self, d: int, j: int) -> int:
        unit = TIER_UNITS[TIERS[j]]
        if unit == "courtyard":
            return int(self.ledger.cols["courtyard"][d])
        if unit == "community":
            return int(self.ledger.cols["community"][d])
        if unit == "street":
            return int(self.ledger.cols["street"][d])
        return 0

    def total_servers(self) -> int:
        """Mediators, judges and petition officers (not the parties themselves)."""
        return int(sum(s.sum() for s in self.servers[COURTYARD:]))

    def present(self, d: int, j: int) -> bool:
        return j == SELF or self.servers[j][self.unit_of(d, j)] > 0

    def next_tier(self, d: int, j: int) -> int | None:
        for k in range(j + 1, LITIGATION + 1):
            if self.present(d, k):
                return k
        return None

    def queue_lengths(self) -> np.ndarray:
        """Disputes waiting at each tier (only pools with a queue are `active`)."""
        return np.array(
            [
                sum(len(pools[u].waiting) for u in act)
                for pools, act in zip(self.pools, self.active, strict=True)
            ]
        )

    def in_service_counts(self) -> np.ndarray:
        return np.array([len(h) for h in self.in_service])

    # -------------------------------------------------------------------- flow

    def submit(self, ids: np.ndarray, entry_times: np.ndarray) -> None:
        """Disputes that will enter the ladder at `entry_times` (possibly in later steps)."""
        for d, t in zip(ids.tolist(), entry_times.tolist(), strict=True):
            heapq.heappush(self.pending, (t, d))

    def _arrive(self, d: int, j: int, time: float, tally: StepTally) -> None:
        cols = self.ledger.cols
        cols["tier_entry"][d, j] = time
        tally.entered[j] += 1
        if j == SELF:
            self.self_arrivals.append((time, d))
            return
        u = self.unit_of(d, j)
        pool = self.pools[j].get(u)
        if pool is None:
            pool = self.pools[j][u] = Pool(int(self.servers[j][u]))
        pool.waiting.append((time, float(cols["severity"][d]), d))
        self.active[j].add(u)

    def _duration(self, j: int) -> Callable[[int], float]:
        tc = self.tier_cfg[j]
        u_service = self.ledger.cols["u_service"]

        def draw(d: int) -> float:
            return service_time(
                float(u_service[d, j]), tc.service_mean, tc.service_dist, tc.service_cv
            )

        return draw

    def success_probability(self, d: int, j: int) -> float:
        cols = self.ledger.cols
        tc = self.tier_cfg[j]
        inst = TIER_INSTITUTION[j]
        trust = 0.5 if inst is None else float(self.pop.trust[inst][cols["initiator"][d]])
        z = (
            self._logit[j]
            - tc.severity_effect * (float(cols["severity"][d]) - 0.5)
            + tc.trust_effect * (trust - 0.5)
            + self.cfg.early_bonus * bool(cols["detected"][d])
        )
        return 1.0 / (1.0 + math.exp(-z))

    def petition_probability(self, d: int) -> float:
        cols = self.ledger.cols
        g = float(self.pop.grievance[cols["initiator"][d]])
        bias = float(self.kind_bias[cols["kind"][d]])
        return min(1.0, self.cfg.petition_exit * (1.0 + self.cfg.petition_grievance * g) * bias)

    def _close(self, d: int, outcome: int, time: float, step: int, tally: StepTally) -> None:
        cols = self.ledger.cols
        cols["outcome"][d] = outcome
        cols["closed_time"][d] = time
        cols["closed_step"][d] = step
        if outcome == ABANDONED:
            tally.abandoned += 1
            tally.abandoned_ids.append(d)
        else:
            tally.resolved[outcome] += 1
            tally.resolved_ids.append(d)
            tally.durations.append(time - float(cols["arise_time"][d]))

    def _complete(self, d: int, j: int, end: float, step: int, tally: StepTally) -> None:
        cols = self.ledger.cols
        cols["tier_exit"][d, j] = end
        if cols["u_success"][d, j] < self.success_probability(d, j):
            self._close(d, j, end, step, tally)
            return
        tally.failed.append((d, j))
        if j == PETITION:
            self._close(d, ABANDONED, end, step, tally)
            return
        p_pet = self.petition_probability(d)
        u = float(cols["u_exit"][d, j])
        nxt = self.next_tier(d, j)
        p_esc = (1.0 - p_pet) * self.cfg.escalate_share
        if u < p_pet:  # petition; where no office takes petitions, the party gives up
            if self.servers[PETITION][0] > 0:
                self._arrive(d, PETITION, end, tally)
            else:
                self._close(d, ABANDONED, end, step, tally)
        elif nxt is not None and u < p_pet + p_esc:
            # the same uniform, rescaled inside the escalation band, picks the route
            direct = (u - p_pet) / p_esc < self.cfg.direct_litigation
            if direct and j in (COURTYARD, COMMUNITY, GRAND) and self.present(d, LITIGATION):
                nxt = LITIGATION
            self._arrive(d, nxt, end, tally)
        else:
            self._close(d, ABANDONED, end, step, tally)

    def step(self, t: int) -> StepTally:
        """Advance every tier through [t, t+1) in ladder order, so escalations flow on."""
        tally = StepTally()
        t_end = float(t + 1)
        cols = self.ledger.cols
        while self.pending and self.pending[0][0] < t_end:
            time, d = heapq.heappop(self.pending)
            cols["entry_time"][d] = time
            bypass = self.cfg.bypass * float(self.pop.grievance[cols["initiator"][d]])
            if cols["u_exit"][d, PETITION] < bypass and self.servers[PETITION][0] > 0:
                self._arrive(d, PETITION, time, tally)
            else:
                self._arrive(d, SELF, time, tally)
        for j in range(len(TIERS)):
            heap = self.in_service[j]
            if j == SELF:
                draw = self._duration(j)
                for time, d in self.self_arrivals:
                    cols["tier_start"][d, j] = time
                    tally.started[j] += 1
                    heapq.heappush(heap, (time + draw(d), d))
                self.self_arrivals = []
            else:
                draw = self._duration(j)
                discipline = self.tier_cfg[j].discipline
                for u in sorted(self.active[j]):
                    pool = self.pools[j][u]
                    for d, arrival, start, end in advance(pool, t_end, discipline, draw):
                        cols["tier_start"][d, j] = start
                        tally.started[j] += 1
                        tally.wait_sum[j] += start - arrival
                        heapq.heappush(heap, (end, d))
                    if not pool.waiting:
                        self.active[j].discard(u)
            while heap and heap[0][0] < t_end:
                end, d = heapq.heappop(heap)
                self._complete(d, j, end, t, tally)
        return tally


def kind_bias(disputes: DisputeConfig) -> np.ndarray:
    """Petition multiplier of each dispute kind, indexed by kind code."""
    return np.array([getattr(disputes, k).petition_bias for k in DISPUTE_KINDS])
