"""The mediation ladder: self-settlement -> courtyard -> community -> grand mediation ->
litigation, with petition as a costly exit from any tier.

Each tier is a set of multi-server queues (`sim.processes.queues`), one per unit: a
courtyard, a community, one of the city's five grand-mediation centres, or the city. A unit
with no servers is absent, and a dispute passes over it. Self-settlement is infinite-server:
the parties serve themselves.

Settlement at a tier is logistic: z = skill - severity_effect (severity - 0.5) +
trust_effect (parties' mean trust in the tier's institution - 0.5) + early_bonus (caught
early) - load_effect log(1 + disputes waiting per server when it starts). So the success
rate a tier reports emerges from the disputes it meets, their parties' trust, detection and
the tier's own backlog. After a failure the party petitions, escalates to the next present
tier (or sues directly), or gives up. A waiting party whose patience runs out leaves the
queue (reneging), which raises grievance; they then petition, sue or give up.

Grand mediation follows the seed (section 二.2, 大调解 since 2009): people's-mediation centres
at the judicial bureau, the legal affairs office, the intermediate court, the public security
bureau and the petition bureau. Disputes reach them by escalation from community mediation
(administrative kinds, relocation and property, go to the legal affairs office; the rest to
the judicial bureau), by police referral at entry (公调对接), by the court's pre-litigation
referral of new lawsuits (诉调对接) and by the petition office's referral of petitioners
(访调对接): the chain prevention -> grand mediation -> litigation. A court-referred dispute that
fails goes on to the court; a petition-referred one to the petition office.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.config import (
    DISPUTE_KINDS,
    GRAND_CENTRES,
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
JUDICIAL, LEGAL_AFFAIRS, COURT_CENTRE, POLICE_CENTRE, PETITION_CENTRE = range(len(GRAND_CENTRES))
ROUTE_POLICE, ROUTE_COURT, ROUTE_PETITION = range(3)  # columns of the ledger's u_route
ADMINISTRATIVE_KINDS = np.array([k in ("relocation", "property") for k in DISPUTE_KINDS])
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
    per_unit: float, n_units: int, unit: str, people: int, u: np.ndarray
) -> np.ndarray:
    """Integer servers per unit: floor plus a Bernoulli remainder from fixed uniforms `u`.

    City-level tiers and grand-mediation centres count servers per 100,000 people. Fixed
    per-unit uniforms mean that raising capacity only adds servers (common random numbers
    across capacity variants).
    """
    if unit in ("city", "centre"):
        per_unit = per_unit * people / 100_000.0
    base = math.floor(per_unit)
    return (base + (u[:n_units] < per_unit - base)).astype(np.int64)


@dataclass
class StepTally:
    """What the ladder did in one step."""

    entered: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    resolved: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    reneged: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    referred: np.ndarray = field(
        default_factory=lambda: np.zeros(len(GRAND_CENTRES), dtype=np.int64)
    )
    abandoned: int = 0
    wait_sum: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS)))
    started: np.ndarray = field(default_factory=lambda: np.zeros(len(TIERS), dtype=np.int64))
    durations: list[float] = field(default_factory=list)
    resolved_ids: list[int] = field(default_factory=list)
    failed: list[tuple[int, int]] = field(default_factory=list)  # (dispute, tier)
    reneged_ids: list[tuple[int, int]] = field(default_factory=list)  # (dispute, tier)
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
        people: int,
    ) -> None:
        self.ledger = ledger
        self.kind_bias = kind_bias  # petition multiplier per dispute kind
        self.pop = pop
        self.people = people
        self.unit_counts = {**unit_counts, "centre": len(GRAND_CENTRES)}
        self.capacity_uniforms = capacity_uniforms
        self.pools: list[dict[int, Pool]] = [{} for _ in TIERS]
        self.active: list[set[int]] = [set() for _ in TIERS]
        self.in_service: list[list[tuple[float, int, float]]] = [[] for _ in TIERS]
        self.pending: list[tuple[float, int]] = []  # (entry time, dispute) not yet on ladder
        self.self_arrivals: list[tuple[float, int]] = []
        self.configure(cfg)

    # ------------------------------------------------------------------ capacity

    def configure(
        self,
        cfg: MediationConfig,
        extra: dict[int, np.ndarray] | None = None,
        now: float = -math.inf,
    ) -> None:
        """(Re)read tier settings and server counts, e.g. when a reform switches on.

        `extra` adds servers per unit to a tier (mediators offered by social organisations).
        Servers added at time `now` are free from `now`, never earlier.
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
                self.people,
                self.capacity_uniforms[name],
            )
            if extra is not None and j in extra:
                counts = counts + np.round(extra[j]).astype(np.int64)
            self.servers.append(counts)
            for u, pool in self.pools[j].items():
                pool.resize(int(counts[u]), now)

    def unit_of(self, d: int, j: int) -> int:
        unit = TIER_UNITS[TIERS[j]]
        if unit == "courtyard":
            return int(self.ledger.cols["courtyard"][d])
        if unit == "community":
            return int(self.ledger.cols["community"][d])
        if unit == "centre":
            return int(self.ledger.cols["grand_centre"][d])
        return 0

    def escalation_centre(self, d: int) -> int:
        """The centre a dispute escalated from community mediation goes to."""
        administrative = ADMINISTRATIVE_KINDS[self.ledger.cols["kind"][d]]
        return LEGAL_AFFAIRS if administrative else JUDICIAL

    def total_servers(self) -> int:
        """Mediators, judges and petition officers (not the parties themselves)."""
        return int(sum(s.sum() for s in self.servers[COURTYARD:]))

    def centre_open(self, centre: int) -> bool:
        return bool(self.servers[GRAND][centre] > 0)

    def present(self, d: int, j: int) -> bool:
        if j == SELF:
            return True
        if j == GRAND:
            return self.centre_open(self.escalation_centre(d))
        return bool(self.servers[j][self.unit_of(d, j)] > 0)

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

    def festering(self) -> tuple[np.ndarray, np.ndarray]:
        """(dispute, initiator) of disputes not yet on the ladder and not caught early."""
        if not self.pending:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        cols = self.ledger.cols
        ids = np.fromiter((d for _, d in self.pending), dtype=np.int64, count=len(self.pending))
        ids = ids[~cols["detected"][ids]]
        return ids, cols["initiator"][ids]

    def expedite(self, ids: np.ndarray, now: float, detector: int) -> None:
        """Pending disputes `ids` enter the ladder at `now`, counted as caught early by
        `detector` (their severity has already festered)."""
        if not len(ids):
            return
        cols = self.ledger.cols
        cols["detected"][ids] = True
        cols["detector"][ids] = detector
        found = set(ids.tolist())
        keep = [(t, d) for t, d in self.pending if d not in found]
        self.pending = keep + [(now, d) for d in sorted(found)]
        heapq.heapify(self.pending)

    def _referred(self, d: int, centre: int, route: int, chance: float) -> bool:
        """Whether a centre takes the dispute in: once per dispute, before any lawsuit (the
        ladder only goes up), where the centre has mediators."""
        cols = self.ledger.cols
        return (
            self.centre_open(centre)
            and math.isnan(cols["tier_entry"][d, GRAND])
            and math.isnan(cols["tier_entry"][d, LITIGATION])
            and bool(cols["u_route"][d, route] < chance)
        )

    def _arrive(
        self, d: int, j: int, time: float, tally: StepTally, centre: int | None = None
    ) -> None:
        cols = self.ledger.cols
        if j == LITIGATION and self._referred(
            d, COURT_CENTRE, ROUTE_COURT, self.cfg.court_referral
        ):
            j, centre = GRAND, COURT_CENTRE
        elif j == PETITION and self._referred(
            d, PETITION_CENTRE, ROUTE_PETITION, self.cfg.petition_referral
        ):
            j, centre = GRAND, PETITION_CENTRE
        if j == GRAND:
            centre = self.escalation_centre(d) if centre is None else centre
            cols["grand_centre"][d] = centre
            tally.referred[centre] += 1
        cols["tier_entry"][d, j] = time
        tally.entered[j] += 1
        if j == SELF:
            self.self_arrivals.append((time, d))
            return
        u = self.unit_of(d, j)
        pool = self.pools[j].get(u)
        if pool is None:
            pool = self.pools[j][u] = Pool(int(self.servers[j][u]))
        patience = -self.tier_cfg[j].patience * math.log1p(-float(cols["u_patience"][d, j]))
        pool.waiting.append((time, float(cols["severity"][d]), d, time + patience))
        self.active[j].add(u)

    def _duration(self, j: int) -> Callable[[int], float]:
        tc = self.tier_cfg[j]
        u_service = self.ledger.cols["u_service"]

        def draw(d: int) -> float:
            return service_time(
                float(u_service[d, j]), tc.service_mean, tc.service_dist, tc.service_cv
            )

        return draw

    def parties_trust(self, d: int, j: int) -> float:
        """Mean trust of the dispute's parties (the counterpart where a resident) in the
        institution behind tier j; 0.5 where the parties serve themselves."""
        inst = TIER_INSTITUTION[j]
        if inst is None:
            return 0.5
        cols, trust = self.ledger.cols, self.pop.trust[inst]
        ini, cp = int(cols["initiator"][d]), int(cols["counterpart"][d])
        return float(trust[ini] if cp < 0 else 0.5 * (trust[ini] + trust[cp]))

    def success_probability(self, d: int, j: int, load: float = 0.0) -> float:
        """Chance tier j settles dispute d; `load` is disputes waiting per server at start."""
        cols = self.ledger.cols
        tc = self.tier_cfg[j]
        z = (
            tc.skill
            - tc.severity_effect * (float(cols["severity"][d]) - 0.5)
            + tc.trust_effect * (self.parties_trust(d, j) - 0.5)
            + self.cfg.early_bonus * bool(cols["detected"][d])
            - tc.load_effect * math.log1p(load)
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

    def _petition(self, d: int, time: float, step: int, tally: StepTally) -> None:
        """Go to the petition office; where no office takes petitions, the party gives up."""
        if self.servers[PETITION][0] > 0:
            self._arrive(d, PETITION, time, tally)
        else:
            self._close(d, ABANDONED, time, step, tally)

    def _complete(
        self, d: int, j: int, end: float, load: float, step: int, tally: StepTally
    ) -> None:
        cols = self.ledger.cols
        cols["tier_exit"][d, j] = end
        if cols["u_success"][d, j] < self.success_probability(d, j, load):
            self._close(d, j, end, step, tally)
            return
        tally.failed.append((d, j))
        if j == PETITION:
            self._close(d, ABANDONED, end, step, tally)
            return
        if j == GRAND and cols["grand_centre"][d] == COURT_CENTRE:
            self._arrive(d, LITIGATION, end, tally)  # referred from court: back to the court
            return
        if j == GRAND and cols["grand_centre"][d] == PETITION_CENTRE:
            self._petition(d, end, step, tally)  # referred by the petition office: back there
            return
        p_pet = self.petition_probability(d)
        u = float(cols["u_exit"][d, j])
        nxt = self.next_tier(d, j)
        p_esc = (1.0 - p_pet) * self.cfg.escalate_share
        if u < p_pet:
            self._petition(d, end, step, tally)
        elif nxt is not None and u < p_pet + p_esc:
            # the same uniform, rescaled inside the escalation band, picks the route
            direct = (u - p_pet) / p_esc < self.cfg.direct_litigation
            if direct and j in (COURTYARD, COMMUNITY, GRAND) and self.present(d, LITIGATION):
                nxt = LITIGATION
            self._arrive(d, nxt, end, tally)
        else:
            self._close(d, ABANDONED, end, step, tally)

    def _renege(self, d: int, j: int, left: float, step: int, tally: StepTally) -> None:
        """A party gave up waiting at tier j: petition, sue, or give up (one uniform)."""
        cols = self.ledger.cols
        cols["tier_exit"][d, j] = left
        cols["reneged"][d, j] = True
        tally.reneged[j] += 1
        tally.reneged_ids.append((d, j))
        g = self.pop.grievance  # waiting in vain adds grievance before they choose what next
        ini = int(cols["initiator"][d])
        g[ini] = min(1.0, float(g[ini]) + self.cfg.renege_grievance)
        if j == PETITION:
            self._close(d, ABANDONED, left, step, tally)
            return
        p_pet = self.petition_probability(d)
        u = float(cols["u_exit"][d, j])
        p_sue = (1.0 - p_pet) * self.cfg.renege_litigation
        if u < p_pet:
            self._petition(d, left, step, tally)
        elif j < LITIGATION and u < p_pet + p_sue and self.servers[LITIGATION][0] > 0:
            self._arrive(d, LITIGATION, left, tally)
        else:
            self._close(d, ABANDONED, left, step, tally)

    def _enter(self, d: int, time: float, tally: StepTally) -> None:
        """A dispute reaches the ladder: a direct petition, the police, or the parties."""
        cols = self.ledger.cols
        cols["entry_time"][d] = time
        bypass = self.cfg.bypass * float(self.pop.grievance[cols["initiator"][d]])
        if cols["u_exit"][d, PETITION] < bypass and self.servers[PETITION][0] > 0:
            self._arrive(d, PETITION, time, tally)
        elif self._referred(
            d,
            POLICE_CENTRE,
            ROUTE_POLICE,
            self.cfg.police_referral * float(cols["severity"][d]),
        ):
            self._arrive(d, GRAND, time, tally, centre=POLICE_CENTRE)
        else:
            self._arrive(d, SELF, time, tally)

    def step(self, t: int) -> StepTally:
        """Advance every tier through [t, t+1) in ladder order, so escalations flow on."""
        tally = StepTally()
        t_end = float(t + 1)
        cols = self.ledger.cols
        while self.pending and self.pending[0][0] < t_end:
            time, d = heapq.heappop(self.pending)
            self._enter(d, time, tally)
        for j in range(len(TIERS)):
            heap = self.in_service[j]
            draw = self._duration(j)
            if j == SELF:
                for time, d in self.self_arrivals:
                    cols["tier_start"][d, j] = time
                    tally.started[j] += 1
                    heapq.heappush(heap, (time + draw(d), d, 0.0))
                self.self_arrivals = []
            else:
                discipline = self.tier_cfg[j].discipline
                for u in sorted(self.active[j]):
                    pool = self.pools[j][u]
                    done = advance(pool, t_end, discipline, draw)
                    for s in done.started:
                        cols["tier_start"][s.dispute, j] = s.start
                        tally.started[j] += 1
                        tally.wait_sum[j] += s.start - s.arrival
                        heapq.heappush(heap, (s.end, s.dispute, s.queue / pool.servers))
                    for d, _, left in done.reneged:
                        self._renege(d, j, left, t, tally)
                    if not pool.waiting:
                        self.active[j].discard(u)
            while heap and heap[0][0] < t_end:
                end, d, load = heapq.heappop(heap)
                self._complete(d, j, end, load, t, tally)
        return tally


def kind_bias(disputes: DisputeConfig) -> np.ndarray:
    """Petition multiplier of each dispute kind, indexed by kind code."""
    return np.array([getattr(disputes, k).petition_bias for k in DISPUTE_KINDS])
