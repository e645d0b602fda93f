"""Disputes arise between neighbours, within families, with employers and developers, and
over shared courtyard property.

A resident's rate is `base_rate x (1 + density_effect x (crowding - 1)) x (1 +
floating_effect x floating) x (1 + grievance_effect x grievance)`. Arrivals are drawn by
Poisson thinning: candidates arrive at the bounding rate `r_max` (grievance <= 1) on
uniformly chosen residents and each is kept with probability r_i / r_max, which is exact
and costs O(disputes), not O(residents), per step.
Property disputes arise per courtyard at `property_rate x (1 + grievance_effect x mean
courtyard grievance)`. Severity is Beta around the kind's mean, raised by grievance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.agents import PartyBranch, per_unit
from sim.agents.grid import grid_chance
from sim.config import DISPUTE_KINDS, TIERS, DisputeConfig, PolicyConfig, SimConfig
from sim.ledger import N_ROUTES
from sim.network import SocialGraph
from sim.population import Population
from sim.processes.base import Process, Tally
from sim.processes.councils import Deliberation
from sim.processes.detection import NONE, detect
from sim.processes.floating import FloatingManagement
from sim.processes.ladder import Ladder

if TYPE_CHECKING:
    from sim.model import GovernanceModel

KIND_INDEX = {k: i for i, k in enumerate(DISPUTE_KINDS)}
RESIDENT_KINDS = tuple(k for k in DISPUTE_KINDS if k != "property")


@dataclass
class NewDisputes:
    """The disputes that arose this week, with which candidate arrival each one was."""

    initiator: np.ndarray
    counterpart: np.ndarray
    kind: np.ndarray
    severity: np.ndarray
    arise_time: np.ndarray
    candidate: np.ndarray  # position among the week's candidate arrivals
    candidates: int  # how many candidates the week had (the size of per-candidate draws)

    def __len__(self) -> int:
        return len(self.initiator)


def crowding_factor(crowding: np.ndarray, cfg: DisputeConfig) -> np.ndarray:
    """Per-courtyard rate multiplier from relative crowding (never negative)."""
    return np.maximum(1.0 + cfg.density_effect * (crowding - 1.0), 0.0)


def resident_rates(
    pop: Population, crowd: np.ndarray, cfg: DisputeConfig, who: np.ndarray | None = None
) -> np.ndarray:
    """Dispute rate of residents `who` (all when None), per week."""
    idx = slice(None) if who is None else who
    g = pop.grievance[idx].astype(np.float64)
    rate = cfg.base_rate * (1.0 + cfg.grievance_effect * g)
    rate *= 1.0 + cfg.floating_effect * pop.floating[idx]
    rate *= crowd[pop.courtyard[idx]]
    return rate


def rate_bound(crowd: np.ndarray, cfg: DisputeConfig) -> float:
    top = float(crowd.max()) if len(crowd) else 0.0
    return cfg.base_rate * (1.0 + cfg.grievance_effect) * (1.0 + cfg.floating_effect) * top


def random_neighbour(graph: SocialGraph, who: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A uniformly chosen graph neighbour of each resident (-1 where isolated)."""
    first, last = graph.indptr[who], graph.indptr[who + 1]
    deg = last - first
    pick = first + np.minimum((u * deg).astype(np.int64), np.maximum(deg - 1, 0))
    return np.where(deg > 0, graph.indices[np.minimum(pick, len(graph.indices) - 1)], -1)


def household_member(household: np.ndarray, who: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Another member of each resident's household (households are contiguous), or -1."""
    start = np.searchsorted(household, household[who], side="left")
    size = np.searchsorted(household, household[who], side="right") - start
    pick = start + (u * np.maximum(size - 1, 0)).astype(np.int64)
    pick = pick + (pick >= who)  # skip oneself
    return np.where(size > 1, pick, -1)


def counterparts(
    pop: Population, graph: SocialGraph, who: np.ndarray, kinds: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Family disputes: a household member. Neighbour disputes: a tie outside the household
    (two tries, else none). Other kinds face an outside party (employer, firm, developer)."""
    family = household_member(pop.household, who, u[0])
    neighbour = random_neighbour(graph, who, u[1])
    retry = random_neighbour(graph, who, u[2])
    same = (neighbour >= 0) & (pop.household[np.maximum(neighbour, 0)] == pop.household[who])
    neighbour = np.where(same, retry, neighbour)
    same = (neighbour >= 0) & (pop.household[np.maximum(neighbour, 0)] == pop.household[who])
    neighbour = np.where(same, -1, neighbour)
    out = np.full(len(who), -1, dtype=np.int64)
    out = np.where(kinds == KIND_INDEX["family"], family, out)
    return np.where(kinds == KIND_INDEX["neighbour"], neighbour, out)


def arise(
    t: int,
    pop: Population,
    graph: SocialGraph,
    crowding: np.ndarray,
    courtyard_members: tuple[np.ndarray, np.ndarray],
    courtyard_grievance: np.ndarray,
    cfg: DisputeConfig,
    rng: np.random.Generator,
    festered: np.ndarray | None = None,
) -> NewDisputes:
    """All disputes arising in step t.

    Every draw is made per *candidate* arrival (Poisson thinning at a bound that does not
    depend on the state), before it is known which are kept, so two policy variants on
    the same seed meet the same candidates with the same luck and differ only in which
    candidates their residents' state turns into disputes (common random numbers that
    survive divergence). `festered` lists courtyards whose unresolved collective issue
    turns into a property dispute this week (one dispute each; these come last).
    """
    crowd = crowding_factor(crowding, cfg)
    r_max = rate_bound(crowd, cfg)
    m = int(rng.poisson(r_max * pop.n)) if r_max > 0 else 0
    cand = rng.integers(0, pop.n, size=m)
    u_keep, u_kind, u_time = rng.random(m), rng.random(m), rng.random(m)
    u_party = rng.random((3, m))
    keep = u_keep * r_max < resident_rates(pop, crowd, cfg, cand)
    shares = np.array([getattr(cfg, k).share for k in RESIDENT_KINDS], dtype=np.float64)
    cum = np.cumsum(shares / shares.sum()) if shares.sum() > 0 else np.ones(len(shares))
    kind_codes = np.array([KIND_INDEX[k] for k in RESIDENT_KINDS])
    kinds = kind_codes[np.minimum(np.searchsorted(cum, u_kind, side="right"), len(cum) - 1)]
    who = cand[keep]
    counterpart = counterparts(pop, graph, who, kinds[keep], u_party[:, keep])

    # shared-property disputes, per courtyard, thinned from the bound grievance = 1
    starts, members = courtyard_members
    courtyard_n = np.diff(starts)
    lam_max = cfg.property_rate * (1.0 + cfg.grievance_effect) * (courtyard_n > 0)
    per_courtyard = rng.poisson(lam_max)
    courtyards = np.repeat(np.arange(len(per_courtyard)), per_courtyard)
    u_pkeep, u_pwho, u_ptime = (rng.random(len(courtyards)) for _ in range(3))
    pkeep = (
        u_pkeep * (1.0 + cfg.grievance_effect)
        < 1.0 + cfg.grievance_effect * (courtyard_grievance[courtyards])
    )
    mean_sev = np.array([getattr(cfg, k).severity for k in DISPUTE_KINDS])
    conc = cfg.severity_concentration
    all_kinds = np.concatenate([kinds, np.full(len(courtyards), KIND_INDEX["property"])])
    sev_all = rng.beta(mean_sev[all_kinds] * conc, (1.0 - mean_sev[all_kinds]) * conc)
    # issues that festered into disputes: their number depends on the councils, so their
    # draws come last and shift nothing else
    n_fest = 0 if festered is None else len(festered)
    fest = np.empty(0, dtype=np.int64) if festered is None else festered.astype(np.int64)
    u_fwho, u_ftime = rng.random(n_fest), rng.random(n_fest)
    prop_sev = mean_sev[KIND_INDEX["property"]]
    sev_fest = rng.beta(prop_sev * conc, (1.0 - prop_sev) * conc, size=n_fest)
    all_courtyards = np.concatenate([courtyards, fest])
    offs = (np.concatenate([u_pwho, u_fwho]) * courtyard_n[all_courtyards]).astype(np.int64)
    prop_who = members[starts[all_courtyards] + offs]
    pmask = np.concatenate([pkeep, np.ones(n_fest, dtype=bool)])

    total = m + len(all_courtyards)
    candidate = np.concatenate([np.flatnonzero(keep), m + np.flatnonzero(pmask)])
    initiator = np.concatenate([who, prop_who[pmask]]).astype(np.int64)
    n_prop = int(pmask.sum())
    kind = np.concatenate([kinds[keep], np.full(n_prop, KIND_INDEX["property"])]).astype(np.int8)
    counterpart = np.concatenate([counterpart, np.full(n_prop, -1)]).astype(np.int64)
    sev = np.concatenate([sev_all, sev_fest])[candidate]
    g = pop.grievance[initiator]
    sev = np.clip(sev + cfg.severity_grievance * g * (1.0 - sev), 0.0, 1.0)
    arise_time = t + np.concatenate([u_time, u_ptime, u_ftime])[candidate]
    return NewDisputes(initiator, counterpart, kind, sev, arise_time, candidate, total)


@dataclass
class DisputeTally(Tally):
    """Disputes that arose this week and those caught early."""

    arising: int = 0
    detected: int = 0


def _detection(branch: PartyBranch) -> float:
    return branch.detect()


class Disputes(Process):
    """Disputes arise; early detection (building party groups, grid workers, classified
    management) sets when each reaches the ladder; each enters the ledger with its own luck
    and is handed to the ladder."""

    name = "disputes"
    tally_type = DisputeTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        self.crowding = model.crowding

    def configure(self, cfg: SimConfig) -> None:
        self.cfg: DisputeConfig = cfg.disputes
        self.policy: PolicyConfig = cfg.policy

    def step(self, model: GovernanceModel, t: int) -> DisputeTally:
        pop, rng_streams = model.pop, model.streams
        councils = model.process(Deliberation)
        new = arise(
            t,
            pop,
            model.graph,
            self.crowding,
            model.courtyard_members,
            councils.courtyard_grievance,
            self.cfg,
            rng_streams["arrivals"],
            councils.tally.escalated_courtyards,
        )
        k, n_tiers, c = len(new), len(TIERS), new.candidates

        def per_candidate(stream: str, *shape: int) -> np.ndarray:
            """Draws for every candidate arrival, kept for the ones that became disputes."""
            return rng_streams[stream].random((c, *shape))[new.candidate]

        p_party = per_unit(
            model, PartyBranch, model.world.n_buildings, _detection, level="building"
        )
        detector, entry, severity = detect(
            new.severity,
            new.arise_time,
            p_party[pop.building[new.initiator]],
            grid_chance(model, self.policy.grid.saturation)[pop.community[new.initiator]]
            * pop.registered[new.initiator],
            self.policy,
            per_candidate("detection"),
            per_candidate("detection"),
            model.process(FloatingManagement).extra_detection(new.initiator),
        )
        ids = model.ledger.add(
            initiator=new.initiator,
            counterpart=new.counterpart,
            kind=new.kind,
            severity=severity,
            arise_time=new.arise_time,
            opened=np.full(k, t),
            detected=detector != NONE,
            detector=detector,
            courtyard=pop.courtyard[new.initiator],
            community=pop.community[new.initiator],
            street=pop.street[new.initiator],
            u_service=per_candidate("mediation", n_tiers),
            u_success=per_candidate("mediation", n_tiers),
            u_exit=per_candidate("petition", n_tiers),
            u_patience=per_candidate("patience", n_tiers),
            u_route=per_candidate("referral", N_ROUTES),
        )
        model.process(Ladder).submit(ids, entry)
        return DisputeTally(arising=k, detected=int((detector != NONE).sum()))
