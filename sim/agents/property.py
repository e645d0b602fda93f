"""Property-management companies (物业服务企业) of commodity-housing estates.

A company serves one courtyard: it takes the estate's repair and property-management
issues that a council would otherwise deliberate (no quorum, no vote: it decides at once)
and `repair`s them with its own weekly chance `service`. Residents' `satisfaction` with it
follows what it delivers (`learn`), and an issue it leaves past the residents' patience
festers into a property dispute with the company as the other party (Read 2003 on
home-owner disputes with management companies). Old courtyards (老旧院落) have none:
their residents' self-governance (院落自治) takes the same issues.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents.institution import Institution

if TYPE_CHECKING:
    from sim.model import GovernanceModel

TAKES_ISSUES: frozenset[str] = frozenset({"repairs", "property_management"})


class PropertyCompany(Institution):
    """The property-management company of one commodity estate (a courtyard)."""

    takes_issues = TAKES_ISSUES

    def __init__(
        self, model: GovernanceModel, courtyard: int, community: int, service: float
    ) -> None:
        super().__init__(model, courtyard, "courtyard", community)
        self.service = service
        self.satisfaction = service  # the fixed point of `learn` at this service chance
        self.learning = 0.0
        self.implemented = 0
        self.failed = 0

    def decide(self) -> float:
        """A company acts on an issue at once (chance 1 a week)."""
        return 1.0

    def implement(self, resources: float = 0.0) -> float:
        """Chance it completes the repair this week (its own service; public-service
        resources of the street are not its budget)."""
        return self.service

    def learn(self, success: bool) -> None:
        """Residents' satisfaction moves toward what the company delivered this week."""
        target = 1.0 if success else 0.0
        self.satisfaction += self.learning * (target - self.satisfaction)
        if not success:
            self.failed += 1
