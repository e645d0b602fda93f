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

import numpy as np

from sim.config import CouncilConfig, CouncilLevel

ISSUE_KINDS: tuple[str, ...] = ("repairs", "property_management", "shared_space", "safety")
OPEN, IMPLEMENTED, ESCALATED = 0, 1, 2
COMMITTEE, COMMUNITY_COUNCIL, COURTYARD_COUNCIL = 0, 1, 2
HANDLERS: tuple[str, ...] = ("committee", "community_council", "courtyard_council")


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64))))


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
class CouncilTally:
    raised: int = 0
    decided: int = 0
    council_decided: int = 0
    implemented: int = 0
    escalated: int = 0
    quorate: int = 0
    decision_times: list[float] = field(default_factory=list)
    # where each escalated issue turns into a property dispute (the courtyard that raised it)
    escalated_courtyards: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # whom an outcome touches: a courtyard's own issue its courtyard, a community-wide one
    # every courtyard of the community
    implemented_courtyards: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    implemented_communities: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    festered_courtyards: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    festered_communities: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


class Councils:
    """Councils at courtyard/community level, their legitimacy and the issue queue."""

    def __init__(
        self,
        courtyard_community: np.ndarray,
        courtyard_u: np.ndarray,
        community_u: np.ndarray,
    ) -> None:
        self.courtyard_community = courtyard_community
        self.courtyard_u = courtyard_u
        self.community_u = community_u
        self.n_courtyards = len(courtyard_community)
        self.n_communities = len(community_u)
        self.legit_courtyard = np.full(self.n_courtyards, 0.5)
        self.legit_community = np.full(self.n_communities, 0.5)
        self.issues = Issues()
        self.configure(CouncilConfig())

    def configure(self, cfg: CouncilConfig) -> None:
        """Which units have a council: fixed uniforms, so more coverage only adds councils."""
        self.cfg = cfg
        at_court = cfg.level in (CouncilLevel.courtyard, CouncilLevel.both)
        at_comm = cfg.level in (CouncilLevel.community, CouncilLevel.both)
        self.has_courtyard = at_court & (self.courtyard_u < cfg.coverage)
        self.has_community = at_comm & (self.community_u < cfg.coverage)

    def efficacy(self, without_council: float) -> np.ndarray:
        """Per courtyard: mean legitimacy of the councils residents can turn to, their
        courtyard's and their community's (or `without_council` where there is none)."""
        comm = self.has_community[self.courtyard_community]
        total = np.where(comm, self.legit_community[self.courtyard_community], 0.0)
        total = total + np.where(self.has_courtyard, self.legit_courtyard, 0.0)
        present = comm.astype(np.int64) + self.has_courtyard
        return np.where(present > 0, total / np.maximum(present, 1), without_council)

    def handler_of(self, courtyards: np.ndarray, community_wide: np.ndarray) -> np.ndarray:
        """A courtyard's own issue goes to its courtyard council, else the community council,
        else the residents' committee; a community-wide issue to the community council, else
        the committee."""
        comm = self.has_community[self.courtyard_community[courtyards]]
        own = self.has_courtyard[courtyards] & ~community_wide
        return np.where(
            own, COURTYARD_COUNCIL, np.where(comm, COMMUNITY_COUNCIL, COMMITTEE)
        ).astype(np.int8)

    def step(
        self,
        t: int,
        new_per_courtyard: np.ndarray,
        recent_share_courtyard: np.ndarray,
        recent_share_community: np.ndarray,
        representativeness_courtyard: np.ndarray,
        representativeness_community: np.ndarray,
        courtyard_branch: np.ndarray,
        community_branch: np.ndarray,
        resources_ratio: float,
        patience: float,
        community_share: float,
        rng: np.random.Generator,
    ) -> CouncilTally:
        """One week: raise issues, deliberate where quorate, carry out or escalate."""
        cfg, tally = self.cfg, CouncilTally()
        courts = np.repeat(np.arange(self.n_courtyards), new_per_courtyard)
        k = len(courts)
        if k:
            kinds = rng.integers(0, len(ISSUE_KINDS), size=k)
            opened = t + rng.random(k)
            deadline = opened + rng.exponential(patience, size=k)
            self.issues.add(courts, kinds, opened, deadline, rng.random(k) < community_share)
        tally.raised = k
        iss = self.issues
        live = np.flatnonzero(iss.state == OPEN)
        u_decide, u_success = rng.random(len(live)), rng.random(len(live))
        if len(live) == 0:
            return tally
        court = iss.courtyard[live]
        comm = self.courtyard_community[court]
        handler = self.handler_of(court, iss.community_wide[live])
        iss.handler[live] = handler
        at_court = handler == COURTYARD_COUNCIL
        share = np.where(at_court, recent_share_courtyard[court], recent_share_community[comm])
        rep = np.where(
            at_court, representativeness_courtyard[court], representativeness_community[comm]
        )
        council = handler != COMMITTEE
        quorate = council & (share >= cfg.quorum)
        tally.quorate = int(
            (self.has_courtyard & (recent_share_courtyard >= cfg.quorum)).sum()
            + (self.has_community & (recent_share_community >= cfg.quorum)).sum()
        )
        p_decide = np.where(
            council,
            quorate * (1.0 - math.exp(-1.0 / cfg.decision_weeks)),
            1.0 - math.exp(-1.0 / cfg.committee_weeks),
        )
        steer = np.where(at_court, courtyard_branch[court], community_branch[comm])
        p_success = np.where(
            council,
            self.success_chance(share, rep, steer, resources_ratio),
            sigmoid(logit(cfg.committee_success) + cfg.resources_effect * (resources_ratio - 1)),
        )
        decided = u_decide < p_decide
        done = decided & (u_success < p_success)
        failed = decided & ~done
        now = t + 1.0
        ids_decided = live[decided]
        first = np.isnan(iss.decided[ids_decided])
        iss.decided[ids_decided[first]] = now
        tally.decision_times = (now - iss.opened[ids_decided[first]]).tolist()
        tally.decided = int(first.sum())  # issues decided for the first time
        tally.council_decided = int((decided & council).sum())  # decisions taken by councils
        iss.state[live[done]] = IMPLEMENTED
        iss.closed[live[done]] = now
        tally.implemented = int(done.sum())
        wide = iss.community_wide[live]
        tally.implemented_courtyards = court[done & ~wide]
        tally.implemented_communities = comm[done & wide]
        self._learn(court, comm, handler, done, +1)
        self._learn(court, comm, handler, failed, -1)
        overdue = ~done & (iss.deadline[live] < now)
        iss.state[live[overdue]] = ESCALATED
        iss.closed[live[overdue]] = now
        tally.escalated = int(overdue.sum())
        tally.escalated_courtyards = court[overdue]
        tally.festered_courtyards = court[overdue & ~wide]
        tally.festered_communities = comm[overdue & wide]
        self._learn(court, comm, handler, overdue & council, -1)
        return tally

    def success_chance(
        self, share: np.ndarray, rep: np.ndarray, steer: np.ndarray, resources_ratio: float
    ) -> np.ndarray:
        """Chance a council's decision is carried out."""
        cfg = self.cfg
        z = (
            logit(cfg.success)
            + cfg.participation_effect * (share - cfg.quorum)
            + cfg.representativeness_effect * (rep - 0.5)
            + cfg.party_steering * steer
            + cfg.resources_effect * (resources_ratio - 1.0)
        )
        return sigmoid(z)

    def settle_legitimacy(
        self,
        share: tuple[np.ndarray, np.ndarray],
        rep: tuple[np.ndarray, np.ndarray],
        steer: tuple[np.ndarray, np.ndarray],
        resources_ratio: float,
        patience: float,
    ) -> None:
        """Start each council at the fixed point of its learning rule, so a run need not
        wait decades for legitimacy to settle. Each week an open issue is decided with
        chance d (0 when not quorate) and carried out with chance s (a success), else the
        attempt fails; if still open it overruns its deadline with chance q (a failure).
        Successes then come at rate ds and failures at d(1-s) + q(1-ds) per open week, and
        legitimacy, which moves toward 1 after a success and toward 0 after a failure,
        settles at L* = ds / (d + q(1 - ds)).
        (`share`, `rep`, `steer` are (courtyard, community) arrays.)"""
        cfg = self.cfg
        q = 1.0 - math.exp(-1.0 / patience)
        for legit, has, sh, rp, st in (
            (self.legit_courtyard, self.has_courtyard, share[0], rep[0], steer[0]),
            (self.legit_community, self.has_community, share[1], rep[1], steer[1]),
        ):
            d = (sh >= cfg.quorum) * (1.0 - math.exp(-1.0 / cfg.decision_weeks))
            s = self.success_chance(sh, rp, st, resources_ratio)
            settled = d * s / np.maximum(d + q * (1 - d * s), 1e-12)
            legit[:] = np.where(has, settled, legit)  # a council that appears later: 0.5

    def _learn(
        self, court: np.ndarray, comm: np.ndarray, handler: np.ndarray, mask: np.ndarray, sign: int
    ) -> None:
        lr = self.cfg.legitimacy_learning
        for legit, units in (
            (self.legit_courtyard, court[mask & (handler == COURTYARD_COUNCIL)]),
            (self.legit_community, comm[mask & (handler == COMMUNITY_COUNCIL)]),
        ):
            for u in units.tolist():
                legit[u] += lr * (1.0 - legit[u]) if sign > 0 else -lr * legit[u]
