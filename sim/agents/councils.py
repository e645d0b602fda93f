"""The community's self-governance bodies (seed: 还权、赋能、归位; 两委 + 公共服务站; 议事会 at
community or courtyard level): deliberation councils, the residents' committee and the
public service station."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.institution import Institution, cached

if TYPE_CHECKING:
    from sim.model import GovernanceModel


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


class Council(Institution):
    """A deliberation council (议事会) of a courtyard or a community.

    It meets only when quorate (recent participation events per resident of its unit at
    least `quorum`), `decide`s an issue with weekly chance 1 - exp(-1/decision_weeks),
    `implement`s a decision with a chance that rises with participation, representativeness,
    party steering and resources, and `learn`s: its `legitimacy` moves `learning` of the
    way toward 1 after a success and toward 0 after a failure."""

    def __init__(
        self,
        model: object,
        unit: int,
        level: str,
        community: int,
        *,
        quorum: float,
        decision_weeks: float,
        success: float,
        participation_effect: float,
        representativeness_effect: float,
        resources_effect: float,
        learning: float,
        legitimacy: float = 0.5,
    ) -> None:
        super().__init__(model, unit, level, community)  # type: ignore[arg-type]
        self.quorum = quorum
        self.decision_weeks = decision_weeks
        self.success = success
        self.participation_effect = participation_effect
        self.representativeness_effect = representativeness_effect
        self.resources_effect = resources_effect
        self.learning = learning
        self.legitimacy = legitimacy
        self.decisions = 0
        self.implemented = 0
        self.failed = 0

    def quorate(self, share: float) -> bool:
        return share >= self.quorum

    def decide(self, share: float) -> float:
        """Weekly chance of deciding an open issue."""
        return (1.0 - math.exp(-1.0 / self.decision_weeks)) if self.quorate(share) else 0.0

    def implement(self, share: float, rep: float, steering: float, resources: float) -> float:
        """Chance a decision is carried out."""
        z = (
            logit(self.success)
            + self.participation_effect * (share - self.quorum)
            + self.representativeness_effect * (rep - 0.5)
            + steering
            + self.resources_effect * (resources - 1.0)
        )
        return sigmoid(z)

    def learn(self, success: bool) -> None:
        rate = self.learning
        self.legitimacy += rate * (1.0 - self.legitimacy) if success else -rate * self.legitimacy
        if success:
            self.implemented += 1
        else:
            self.failed += 1

    def settle(self, share: float, rep: float, steering: float, resources: float, q: float) -> None:
        """Start at the fixed point of the learning rule: with weekly decision chance d,
        success s and deadline hazard q, successes come at rate ds and failures at
        d(1 - s) + q(1 - ds) per open week, so legitimacy settles at ds / (d + q(1 - ds))."""
        d = self.decide(share)
        s = self.implement(share, rep, steering, resources)
        self.legitimacy = d * s / max(d + q * (1 - d * s), 1e-12)


class ResidentsCommittee(Institution):
    """The community's residents' committee (居委会): acts alone on collective issues where
    no council takes them (the pre-reform path), with weekly chance 1 - exp(-1/weeks) and
    success `success`, both shifted by resources."""

    level = "community"

    def __init__(
        self,
        model: object,
        unit: int,
        *,
        success: float,
        weeks: float,
        resources_effect: float,
    ) -> None:
        super().__init__(model, unit, "community", unit)  # type: ignore[arg-type]
        self.success = success
        self.weeks = weeks
        self.resources_effect = resources_effect
        self.implemented = 0

    def decide(self) -> float:
        return 1.0 - math.exp(-1.0 / self.weeks)

    def implement(self, resources: float) -> float:
        return sigmoid(logit(self.success) + self.resources_effect * (resources - 1.0))


class ServiceStation(Institution):
    """The community's public service station (公共服务站): the platform through which the
    street office's public-service budget reaches the community; `resources` (the ratio of
    public-service spending per resident to the reference) is what its councils and
    committee can draw on."""

    level = "community"

    def __init__(self, model: object, unit: int, resources: float) -> None:
        super().__init__(model, unit, "community", unit)  # type: ignore[arg-type]
        self.resources = resources


@dataclass(frozen=True)
class CouncilMap:
    """Which units have a council, and the councils themselves (cached until a council is
    created or removed; their legitimacy is read from the agents when asked)."""

    courtyard: dict[int, Council]
    community: dict[int, Council]
    has_courtyard: np.ndarray
    has_community: np.ndarray

    def legitimacy(self) -> tuple[np.ndarray, np.ndarray]:
        """(per courtyard, per community) legitimacy of the council there (0.5 where none)."""
        out = []
        for councils, has in (
            (self.courtyard, self.has_courtyard),
            (self.community, self.has_community),
        ):
            legit = np.full(len(has), 0.5)
            if councils:
                legit[np.fromiter(councils, np.int64, len(councils))] = [
                    c.legitimacy for c in councils.values()
                ]
            out.append(legit)
        return out[0], out[1]


def council_map(model: GovernanceModel) -> CouncilMap:
    """The councils by unit, cached until a council is created or removed."""

    def compute() -> CouncilMap:
        w = model.world
        courtyards: dict[int, Council] = {}
        comm: dict[int, Council] = {}
        for council in model.agents_by_type.get(Council, ()):
            (courtyards if council.level == "courtyard" else comm)[council.unit] = council
        has_c, has_m = np.zeros(w.n_courtyards, bool), np.zeros(w.n_communities, bool)
        has_c[list(courtyards)] = True
        has_m[list(comm)] = True
        return CouncilMap(courtyards, comm, has_c, has_m)

    return cached(model, CouncilMap, model.layout_versions[Council], compute)


def efficacy(model: GovernanceModel, without_council: float) -> np.ndarray:
    """Per courtyard: mean legitimacy of the councils residents can turn to, their
    courtyard's and their community's (or `without_council` where there is none)."""
    m = council_map(model)
    legit_courtyard, legit_community = m.legitimacy()
    courtyard_community = model.world.courtyard_community
    comm = m.has_community[courtyard_community]
    total = np.where(comm, legit_community[courtyard_community], 0.0)
    total = total + np.where(m.has_courtyard, legit_courtyard, 0.0)
    present = comm.astype(np.int64) + m.has_courtyard
    return np.where(present > 0, total / np.maximum(present, 1), without_council)


def has_council(model: GovernanceModel) -> np.ndarray:
    """Per courtyard: whether its residents have a council at either level."""
    m = council_map(model)
    return m.has_courtyard | m.has_community[model.world.courtyard_community]
