"""Collective issues and the deliberation councils (议事会) that decide them.

Issues (repairs, property management, shared space, safety) arise per courtyard; a share
concerns the whole community. A courtyard's own issue is handled by the courtyard's
council if it has one, else its community's council, else the residents' committee acting
alone (the pre-reform path); a community-wide issue by the community council, else the
committee, so councils at both levels (and the party branches that steer them) have work.
A council deliberates only in a week when it is quorate (recent participants >= quorum x
residents of its unit), decides after Exp(decision_weeks), and carries the decision out
with a chance that rises with participation, representativeness (floating residents among
participants in proportion), party steering and public-service resources (seed: 还权、赋能、归位;
councils at community or courtyard level). An issue still open past its patience turns
into a property dispute on the ladder and raises the courtyard's grievance. Legitimacy of
each council follows what it delivers and feeds residents' efficacy and trust.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.agents import Council, PartyBranch, ResidentsCommittee, ServiceStation, per_unit
from sim.agents.councils import council_map, efficacy, has_council
from sim.agents.institution import cached
from sim.config import SimConfig
from sim.processes.base import Process, Tally
from sim.processes.participation import Participation, probability

if TYPE_CHECKING:
    from sim.model import GovernanceModel

ISSUE_KINDS: tuple[str, ...] = ("repairs", "property_management", "shared_space", "safety")
OPEN, IMPLEMENTED, ESCALATED = 0, 1, 2
COMMITTEE, COMMUNITY_COUNCIL, COURTYARD_COUNCIL, PROVIDER = 0, 1, 2, 3
HANDLERS: tuple[str, ...] = ("committee", "community_council", "courtyard_council", "provider")


def providers(model: GovernanceModel) -> dict[int, Any]:
    """Per courtyard, the institution that takes some of its issues before any council:
    any agent whose class declares `takes_issues` (issue kinds) and `decide`, `implement`
    and `learn` like a committee (e.g. `sim.agents.property.PropertyCompany`)."""
    classes = [c for c in model.agents_by_type if getattr(c, "takes_issues", None)]
    return cached(
        model,
        ("providers", tuple(classes)),
        tuple(model.layout_versions[c] for c in classes),
        lambda: {a.unit: a for c in classes for a in model.agents_by_type[c]},
    )


@dataclass
class Issues:
    """Columnar store of collective issues (few: tens per week)."""

    courtyard: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    kind: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    opened: np.ndarray = field(default_factory=lambda: np.empty(0))
    deadline: np.ndarray = field(default_factory=lambda: np.empty(0))
    decided: np.ndarray = field(default_factory=lambda: np.empty(0))
    closed: np.ndarray = field(default_factory=lambda: np.empty(0))
    handler: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    state: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    community_wide: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))

    def add(
        self,
        courtyard: np.ndarray,
        kind: np.ndarray,
        opened: np.ndarray,
        deadline: np.ndarray,
        community_wide: np.ndarray,
    ) -> None:
        k = len(courtyard)
        self.courtyard = np.concatenate([self.courtyard, courtyard])
        self.community_wide = np.concatenate([self.community_wide, community_wide])
        self.kind = np.concatenate([self.kind, kind.astype(np.int8)])
        self.opened = np.concatenate([self.opened, opened])
        self.deadline = np.concatenate([self.deadline, deadline])
        self.decided = np.concatenate([self.decided, np.full(k, np.nan)])
        self.closed = np.concatenate([self.closed, np.full(k, np.nan)])
        self.handler = np.concatenate([self.handler, np.full(k, -1, dtype=np.int8)])
        self.state = np.concatenate([self.state, np.zeros(k, dtype=np.int8)])


@dataclass
class CouncilTally(Tally):
    """What happened to collective issues this week (and, summed, since week 0)."""

    raised: int = 0
    decided: int = 0
    council_decided: int = 0
    implemented: int = 0
    escalated: int = 0
    quorate: int = 0
    decision_time_sum: float = 0.0
    decisions_timed: int = 0
    decision_times: list[float] = field(default_factory=list)
    # where each escalated issue turns into a property dispute (the courtyard that raised it)
    escalated_courtyards: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # whom an outcome touches: a courtyard's own issue its courtyard, a community-wide one
    # every courtyard of the community
    implemented_courtyards: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    implemented_communities: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    festered_courtyards: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    festered_communities: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def add(self, other: Tally) -> None:  # unit lists are per week, not totals
        for name in ("raised", "decided", "council_decided", "implemented", "escalated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.decision_time_sum += other.decision_time_sum  # type: ignore[attr-defined]
        self.decisions_timed += other.decisions_timed  # type: ignore[attr-defined]


def council_inputs(
    model: GovernanceModel, recent: np.ndarray, recent_floating: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(share, representativeness) at (courtyard, community) level from participation
    events per courtyard over the recent weeks (all, and by floating residents).

    share: events per resident; representativeness: the floating share among participants
    relative to that among residents, capped at 1."""
    courtyard_community, n_communities = model.world.courtyard_community, model.world.n_communities
    comm = np.bincount(courtyard_community, weights=recent, minlength=n_communities)
    comm_f = np.bincount(courtyard_community, weights=recent_floating, minlength=n_communities)
    comm_floating = np.bincount(
        courtyard_community, weights=model.courtyard_floating, minlength=n_communities
    )

    def rep(part_f: np.ndarray, part: np.ndarray, res_f: np.ndarray, res: np.ndarray) -> Any:
        res_share = res_f / np.maximum(res, 1)
        part_share = part_f / np.maximum(part, 1)
        return np.where(res_share > 0, np.minimum(part_share / np.maximum(res_share, 1e-9), 1), 1.0)

    share = (
        recent / np.maximum(model.courtyard_residents, 1),
        comm / np.maximum(model.community_residents, 1),
    )
    reps = (
        rep(recent_floating, recent, model.courtyard_floating, model.courtyard_residents),
        rep(comm_f, comm, comm_floating, model.community_residents),
    )
    return share, reps


def committees(model: GovernanceModel) -> dict[int, ResidentsCommittee]:
    """The residents' committee of each community, cached until one is created or removed."""
    return cached(
        model,
        ResidentsCommittee,
        model.layout_versions[ResidentsCommittee],
        lambda: {c.unit: c for c in model.agents_by_type.get(ResidentsCommittee, ())},
    )


def _steering(branch: PartyBranch) -> float:
    return branch.steer()


def steering(model: GovernanceModel) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds the party branch of each courtyard and community adds to its council."""
    w = model.world
    return (
        per_unit(model, PartyBranch, w.n_courtyards, _steering, level="courtyard"),
        per_unit(model, PartyBranch, w.n_communities, _steering, level="community"),
    )


def _resources(station: ServiceStation) -> float:
    return station.resources


class Deliberation(Process):
    """Collective issues arise; councils that are quorate deliberate, decide and carry out;
    the residents' committee acts alone where no council takes an issue; issues left past
    their patience fester into property disputes (see the module docstring)."""

    name = "councils"
    tally_type = CouncilTally

    def __init__(self, model: GovernanceModel) -> None:
        super().__init__(model)
        self.issues = Issues()
        self.courtyard_grievance = np.zeros(model.world.n_courtyards)

    def configure(self, cfg: SimConfig) -> None:
        self.rate = cfg.disputes.issue_rate
        self.patience = cfg.disputes.issue_patience
        self.community_share = cfg.disputes.community_issue_share
        self.relief = cfg.trust.issue_relief
        self.grievance = cfg.trust.issue_grievance

    def handlers(self, courtyards: np.ndarray, wide: np.ndarray, kinds: np.ndarray) -> list[Any]:
        """Who takes each issue: a courtyard's own issue goes to the courtyard's provider if
        it takes that kind of issue (`providers`), else its courtyard council, else the
        community council, else the residents' committee; a community-wide issue to the
        community council, else the committee."""
        model = self.model
        m, by_courtyard, by_community = council_map(model), providers(model), committees(model)
        communities = model.world.courtyard_community[courtyards].tolist()
        out = []
        for courtyard, community, whole, kind in zip(
            courtyards.tolist(), communities, wide.tolist(), kinds.tolist(), strict=True
        ):
            if not whole:
                provider = by_courtyard.get(courtyard)
                if provider is not None and ISSUE_KINDS[kind] in provider.takes_issues:
                    out.append(provider)
                    continue
                council = m.courtyard.get(courtyard)
                if council is not None:
                    out.append(council)
                    continue
            council = m.community.get(community)
            out.append(by_community[community] if council is None else council)
        return out

    def step(self, model: GovernanceModel, t: int) -> CouncilTally:
        w, pop = model.world, model.pop
        self.courtyard_grievance = (
            np.add.reduceat(pop.grievance, model.courtyard_members[0][:-1], dtype=np.float64)
            / model.courtyard_residents
        )
        rng = model.streams["councils"]
        new_per_courtyard = rng.poisson(self.rate * (1.0 + self.courtyard_grievance))
        part = model.process(Participation)
        share, rep = council_inputs(model, *part.recent_events())
        tally = self.deliberate(t, new_per_courtyard, share, rep, rng)
        delta = np.zeros(w.n_courtyards, dtype=np.float32)
        np.add.at(delta, tally.implemented_courtyards, -self.relief)
        np.add.at(delta, tally.festered_courtyards, self.grievance)
        wide = np.zeros(w.n_communities, dtype=np.float32)  # issues of the whole community
        np.add.at(wide, tally.implemented_communities, -self.relief)
        np.add.at(wide, tally.festered_communities, self.grievance)
        delta += wide[w.courtyard_community]
        if delta.any():
            g = pop.grievance
            np.clip(g + delta[pop.courtyard], 0, 1, out=g)
        return tally

    def deliberate(
        self,
        t: int,
        new_per_courtyard: np.ndarray,
        share: tuple[np.ndarray, np.ndarray],
        rep: tuple[np.ndarray, np.ndarray],
        rng: np.random.Generator,
    ) -> CouncilTally:
        """One week: raise issues, deliberate where quorate, carry out or escalate."""
        model, tally = self.model, CouncilTally()
        courtyard_community = model.world.courtyard_community
        courts = np.repeat(np.arange(len(courtyard_community)), new_per_courtyard)
        k = len(courts)
        if k:
            kinds = rng.integers(0, len(ISSUE_KINDS), size=k)
            opened = t + rng.random(k)
            deadline = opened + rng.exponential(self.patience, size=k)
            self.issues.add(courts, kinds, opened, deadline, rng.random(k) < self.community_share)
        tally.raised = k
        iss = self.issues
        live = np.flatnonzero(iss.state == OPEN)
        u_decide, u_success = rng.random(len(live)), rng.random(len(live))
        if len(live) == 0:
            return tally
        m = council_map(model)
        tally.quorate = sum(c.quorate(share[0][u]) for u, c in m.courtyard.items()) + sum(
            c.quorate(share[1][u]) for u, c in m.community.items()
        )
        courtyards = iss.courtyard[live]
        comm = courtyard_community[courtyards]
        wide = iss.community_wide[live]
        steer_c, steer_m = steering(model)
        resources = per_unit(model, ServiceStation, model.world.n_communities, _resources)
        handlers = self.handlers(courtyards, wide, iss.kind[live])
        kind = np.array(
            [
                COURTYARD_COUNCIL
                if h.level == "courtyard" and isinstance(h, Council)
                else COMMUNITY_COUNCIL
                if isinstance(h, Council)
                else COMMITTEE
                if isinstance(h, ResidentsCommittee)
                else PROVIDER
                for h in handlers
            ],
            dtype=np.int8,
        )
        iss.handler[live] = kind
        p_decide, p_success = np.empty(len(live)), np.empty(len(live))
        for i, (h, c, community) in enumerate(
            zip(handlers, courtyards.tolist(), comm.tolist(), strict=True)
        ):
            if isinstance(h, Council):
                at_courtyard = h.level == "courtyard"
                share_here = share[0][c] if at_courtyard else share[1][community]
                represent_here = rep[0][c] if at_courtyard else rep[1][community]
                steer_here = steer_c[c] if at_courtyard else steer_m[community]
                p_decide[i] = h.decide(share_here)
                p_success[i] = h.implement(
                    share_here, represent_here, steer_here, resources[community]
                )
            else:
                p_decide[i] = h.decide()
                p_success[i] = h.implement(resources[community])
        council = (kind == COURTYARD_COUNCIL) | (kind == COMMUNITY_COUNCIL)
        decided = u_decide < p_decide
        done = decided & (u_success < p_success)
        failed = decided & ~done
        now = t + 1.0
        ids_decided = live[decided]
        first = np.isnan(iss.decided[ids_decided])
        iss.decided[ids_decided[first]] = now
        times = now - iss.opened[ids_decided[first]]
        tally.decision_times = times.tolist()
        tally.decision_time_sum, tally.decisions_timed = float(times.sum()), int(len(times))
        tally.decided = int(first.sum())  # issues decided for the first time
        tally.council_decided = int((decided & council).sum())  # decisions taken by councils
        iss.state[live[done]] = IMPLEMENTED
        iss.closed[live[done]] = now
        tally.implemented = int(done.sum())
        tally.implemented_courtyards = courtyards[done & ~wide]
        tally.implemented_communities = comm[done & wide]
        overdue = ~done & (iss.deadline[live] < now)
        self._learn(handlers, kind, done, True)
        self._learn(handlers, kind, failed, False)
        iss.state[live[overdue]] = ESCALATED
        iss.closed[live[overdue]] = now
        tally.escalated = int(overdue.sum())
        tally.escalated_courtyards = courtyards[overdue]
        tally.festered_courtyards = courtyards[overdue & ~wide]
        tally.festered_communities = comm[overdue & wide]
        self._learn(handlers, kind, overdue & council, False)
        for i in np.flatnonzero(done & ~council).tolist():  # committees and providers
            handlers[i].implemented += 1
        for i in np.flatnonzero(decided & council).tolist():
            handlers[i].decisions += 1
        return tally

    @staticmethod
    def _learn(handlers: list[Any], kind: np.ndarray, mask: np.ndarray, success: bool) -> None:
        """Councils learn from outcomes, courtyard councils first, then community councils,
        then providers (each in the order of the issues)."""
        for level in (COURTYARD_COUNCIL, COMMUNITY_COUNCIL, PROVIDER):
            for i in np.flatnonzero(mask & (kind == level)).tolist():
                handlers[i].learn(success)


def settle(model: GovernanceModel) -> None:
    """Start councils, and residents' trust in them, at the stationary state that goes with
    the participation they bring about (rounds of the fixed point, in expectation: no
    draws). Trust in the committee is pulled toward the councils' legitimacy and fades
    toward each resident's resting trust, so it settles at the weighted mean."""
    cfg, pop, n_courtyards = model.cfg, model.pop, model.world.n_courtyards
    part = model.process(Participation)
    weeks = cfg.participation.recent_weeks
    pull = min(cfg.trust.legitimacy_pull * cfg.trust.interval, 1.0) / cfg.trust.interval
    decay = cfg.trust.trust_decay
    resting = pop.trust_rest["committee"]
    has = has_council(model)
    q = 1.0 - math.exp(-1.0 / cfg.disputes.issue_patience)
    m = council_map(model)
    steer_c, steer_m = steering(model)
    resources = per_unit(model, ServiceStation, model.world.n_communities, _resources)
    courtyard_community = model.world.courtyard_community
    for _ in range(5):
        if pull + decay > 0:
            eff = efficacy(model, cfg.participation.no_council_efficacy)
            settled = (pull * eff[pop.courtyard] + decay * resting) / (pull + decay)
            pop.trust["committee"][:] = np.where(has[pop.courtyard], settled, resting)
        p = probability(part.logit(model))
        recent = np.bincount(pop.courtyard, weights=p * weeks, minlength=n_courtyards)
        recent_f = np.bincount(
            pop.courtyard, weights=p * weeks * pop.floating, minlength=n_courtyards
        )
        share, rep = council_inputs(model, recent, recent_f)
        for unit, council in m.courtyard.items():
            council.settle(
                share[0][unit], rep[0][unit], steer_c[unit], resources[courtyard_community[unit]], q
            )
        for unit, council in m.community.items():
            council.settle(share[1][unit], rep[1][unit], steer_m[unit], resources[unit], q)
        m = council_map(model)
        part.peer_share = model.ties.neighbour_mean((1 - (1 - p) ** weeks).astype(np.float32))
