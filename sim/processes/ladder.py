"""The mediation ladder: self-settlement -> courtyard -> community -> grand mediation ->
litigation, with petition as a costly exit from any tier.

Each tier is a set of multi-server queues (`sim.queues`), one per unit: a
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
from typing import TYPE_CHECKING

import numpy as np

from sim.agents import Court, Desk, GrandMediationCentre, MediationCommittee, PetitionOffice
from sim.agents.institution import cached
from sim.config import (
    DISPUTE_KINDS,
    GRAND_CENTRES,
    TIER_UNITS,
    TIERS,
    DisputeConfig,
    MediationConfig,
    SimConfig,
    TierConfig,
)
from sim.ledger import ABANDONED, Ledger
from sim.population import Population
from sim.processes.base import Process, Tally
from sim.queues import service_time

if TYPE_CHECKING:
    from sim.model import GovernanceModel

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


DESK_CLASSES = (MediationCommittee, GrandMediationCentre, Court, PetitionOffice)


@dataclass
class StepTally(Tally):
    """What the ladder did in one step (and, summed, since week 0)."""

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
    cohort_resolved: int = 0  # of the disputes resolved, those that arose from week 0 on
    cohort_closed: int = 0


class Ladder(Process):
    """The ladder routes disputes between the institutions that settle them
    (`sim.agents.Desk`: committees, centres, court, petition office) and advances each one's
    queue week by week, in ladder order so escalations flow on within the week."""

    name = "ladder"
    tally_type = StepTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        self.ledger: Ledger = model.ledger
        self.pop: Population = model.pop
        self.desks: dict[tuple[int, int], Desk] = model.desks
        self.active: list[set[Desk]] = [set() for _ in TIERS]
        self.in_service: list[list[tuple[float, int, float]]] = [[] for _ in TIERS]
        self.pending: list[tuple[float, int]] = []  # (entry time, dispute) not yet on ladder
        self.self_arrivals: list[tuple[float, int]] = []

    def configure(self, cfg: SimConfig) -> None:
        """Read the tiers' settings (the servers are the desks' own, set by
        `sim.agents.structure`)."""
        self.cfg: MediationConfig = cfg.mediation
        self.tier_cfg: list[TierConfig] = [getattr(cfg.mediation, name) for name in TIERS]
        self.kind_bias = kind_bias(cfg.disputes)

    def desk(self, d: int, j: int) -> Desk | None:
        return self.desks.get((j, self.unit_of(d, j)))

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
        """Mediators, judges and petition officers (not the parties themselves); recounted
        only when a desk's staff changed."""
        return cached(
            self.model,
            "total_servers",
            tuple(self.model.versions[cls] for cls in DESK_CLASSES),
            lambda: sum(desk.servers for desk in self.desks.values()),
        )

    def centre(self, centre: int) -> GrandMediationCentre | None:
        desk = self.desks.get((GRAND, centre))
        return desk if isinstance(desk, GrandMediationCentre) else None

    def centre_open(self, centre: int) -> bool:
        desk = self.desks.get((GRAND, centre))
        return desk is not None and desk.servers > 0

    def serves(self, j: int, unit: int = 0) -> bool:
        desk = self.desks.get((j, unit))
        return desk is not None and desk.servers > 0

    def present(self, d: int, j: int) -> bool:
        if j == SELF:
            return True
        if j == GRAND:
            return self.centre_open(self.escalation_centre(d))
        return self.serves(j, self.unit_of(d, j))

    def next_tier(self, d: int, j: int) -> int | None:
        for k in range(j + 1, LITIGATION + 1):
            if self.present(d, k):
                return k
        return None

    def queue_lengths(self) -> np.ndarray:
        """Disputes waiting at each tier (only desks with a queue are `active`)."""
        return np.array([sum(len(desk.queue.waiting) for desk in act) for act in self.active])

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

    def _referred(self, d: int, centre: int, route: int, scale: float = 1.0) -> bool:
        """Whether a centre's host refers the dispute to it (`GrandMediationCentre.refer`):
        once per dispute, before any lawsuit (the ladder only goes up)."""
        cols = self.ledger.cols
        desk = self.centre(centre)
        return (
            desk is not None
            and math.isnan(cols["tier_entry"][d, GRAND])
            and math.isnan(cols["tier_entry"][d, LITIGATION])
            and desk.refer(float(cols["u_route"][d, route]), scale)
        )

    def _arrive(
        self, d: int, j: int, time: float, tally: StepTally, centre: int | None = None
    ) -> None:
        cols = self.ledger.cols
        if j == LITIGATION and self._referred(d, COURT_CENTRE, ROUTE_COURT):
            j, centre = GRAND, COURT_CENTRE
        elif j == PETITION and self._referred(d, PETITION_CENTRE, ROUTE_PETITION):
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
        desk = self.desks[(j, self.unit_of(d, j))]
        patience = -self.tier_cfg[j].patience * math.log1p(-float(cols["u_patience"][d, j]))
        desk.queue.waiting.append((time, float(cols["severity"][d]), d, time + patience))
        self.active[j].add(desk)

    def _duration(self, j: int) -> Callable[[int], float]:
        tier = self.tier_cfg[j]
        u_service = self.ledger.cols["u_service"]

        def draw(d: int) -> float:
            return service_time(
                float(u_service[d, j]), tier.service_mean, tier.service_dist, tier.service_cv
            )

        return draw

    def parties_trust(self, d: int, j: int) -> float:
        """Mean trust of the dispute's parties (the counterpart where a resident) in the
        institution behind tier j; 0.5 where the parties serve themselves."""
        inst = TIER_INSTITUTION[j]
        if inst is None:
            return 0.5
        cols, trust = self.ledger.cols, self.pop.trust[inst]
        ini, counterpart = int(cols["initiator"][d]), int(cols["counterpart"][d])
        return float(trust[ini] if counterpart < 0 else 0.5 * (trust[ini] + trust[counterpart]))

    def success_probability(self, d: int, j: int, load: float = 0.0) -> float:
        """Chance tier j settles dispute d; `load` is disputes waiting per server at start."""
        cols = self.ledger.cols
        tier = self.tier_cfg[j]
        z = (
            tier.skill
            - tier.severity_effect * (float(cols["severity"][d]) - 0.5)
            + tier.trust_effect * (self.parties_trust(d, j) - 0.5)
            + self.cfg.early_bonus * bool(cols["detected"][d])
            - tier.load_effect * math.log1p(load)
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
        if self.serves(PETITION):
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
        elif j < LITIGATION and u < p_pet + p_sue and self.serves(LITIGATION):
            self._arrive(d, LITIGATION, left, tally)
        else:
            self._close(d, ABANDONED, left, step, tally)

    def _enter(self, d: int, time: float, tally: StepTally) -> None:
        """A dispute reaches the ladder: a direct petition, the police, or the parties."""
        cols = self.ledger.cols
        cols["entry_time"][d] = time
        bypass = self.cfg.bypass * float(self.pop.grievance[cols["initiator"][d]])
        if cols["u_exit"][d, PETITION] < bypass and self.serves(PETITION):
            self._arrive(d, PETITION, time, tally)
        elif self._referred(d, POLICE_CENTRE, ROUTE_POLICE, float(cols["severity"][d])):
            self._arrive(d, GRAND, time, tally, centre=POLICE_CENTRE)
        else:
            self._arrive(d, SELF, time, tally)

    def step(self, model: GovernanceModel, t: int) -> StepTally:
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
                for desk in sorted(self.active[j], key=lambda k: k.unit):
                    done = desk.mediate(t_end, discipline, draw)
                    for s in done.started:
                        cols["tier_start"][s.dispute, j] = s.start
                        tally.started[j] += 1
                        tally.wait_sum[j] += s.start - s.arrival
                        heapq.heappush(heap, (s.end, s.dispute, s.queue / desk.servers))
                    for d, _, left in done.reneged:
                        self._renege(d, j, left, t, tally)
                    if not desk.queue.waiting:
                        self.active[j].discard(desk)
            while heap and heap[0][0] < t_end:
                end, d, load = heapq.heappop(heap)
                self._complete(d, j, end, load, t, tally)
        opened = cols["opened"]
        tally.cohort_resolved = int((opened[tally.resolved_ids] >= 0).sum())
        tally.cohort_closed = tally.cohort_resolved + int((opened[tally.abandoned_ids] >= 0).sum())
        return tally


def kind_bias(disputes: DisputeConfig) -> np.ndarray:
    """Petition multiplier of each dispute kind, indexed by kind code."""
    return np.array([getattr(disputes, k).petition_bias for k in DISPUTE_KINDS])
