"""What governance costs the street offices each week.

Cost per week counts grid workers, mediators, judges and petition officers (the servers of
every desk), the services bought from social organisations (at most their running cost),
petitions and court cases handled, and responses to online warnings. The street offices'
budgets (`sim.agents.StreetOffice`) split public service from economic work (职能归位);
public service buys services and is the resources councils draw on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.agents import GridWorker
from sim.config import TIERS, GovernmentConfig, SimConfig
from sim.processes.base import Process, Tally
from sim.processes.ladder import Ladder
from sim.processes.social_orgs import SocialOrganisations
from sim.processes.trust import Online

if TYPE_CHECKING:
    from sim.model import GovernanceModel

PETITION, LITIGATION = TIERS.index("petition"), TIERS.index("litigation")


def weekly_cost(
    cfg: GovernmentConfig,
    grid_workers: int,
    mediators: int,
    purchased: float,
    petitions: int,
    court_cases: int,
    responses: int,
    response_cost: float,
) -> float:
    return (
        grid_workers * cfg.grid_wage
        + mediators * cfg.mediator_wage
        + purchased
        + petitions * cfg.petition_cost
        + court_cases * cfg.litigation_cost
        + responses * response_cost
    )


@dataclass
class CostTally(Tally):
    """Yuan spent this week."""

    cost: float = 0.0


class Government(Process):
    """Books the week's cost of governance."""

    name = "government"
    tally_type = CostTally

    def configure(self, cfg: SimConfig) -> None:
        self.cfg = cfg.policy.government
        self.weekly_org_cost = cfg.policy.social_orgs.weekly_cost
        self.response_cost = cfg.policy.online.response_cost

    def step(self, model: GovernanceModel, t: int) -> CostTally:
        ladder, orgs = model.process(Ladder), model.process(SocialOrganisations)
        entered = ladder.tally.entered
        cost = weekly_cost(
            self.cfg,
            len(model.agents_by_type.get(GridWorker, ())),
            ladder.total_servers(),
            min(orgs.purchase(), orgs.count * self.weekly_org_cost),
            int(entered[PETITION]),
            int(entered[LITIGATION]),
            model.process(Online).tally.warnings,
            self.response_cost,
        )
        return CostTally(cost=cost)
