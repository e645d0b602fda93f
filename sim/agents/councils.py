"""The community's self-governance bodies (seed: 还权、赋能、归位; 两委 + 公共服务站; 议事会 at
community or courtyard level): deliberation councils, the residents' committee and the
public service station."""

from __future__ import annotations

import math

from sim.agents.institution import Institution


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
