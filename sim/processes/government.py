"""The street office's budget and what governance costs per week.

The budget (yuan per resident per week) is split between economic work and public service;
the reform's 职能归位 moves `public_service_share` up. Public service pays for purchased
services from social organisations (`purchase_share`) and sets the resources councils can
draw on (ratio to `reference_service`). Cost per week counts grid workers, mediators,
purchased services, petitions, court cases and online responses.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import GovernmentConfig


@dataclass(frozen=True)
class Budget:
    public_service: float  # yuan/week
    purchase: float  # yuan/week offered to organisations
    resources_ratio: float  # public-service spend per resident / reference

    def funding_ratio(self, organisations: float, weekly_cost: float, grants: float) -> float:
        """Share of organisations' running cost covered by purchased services plus
        foundation grants (the development foundation's share of the cost)."""
        if organisations == 0 or weekly_cost == 0:
            return 1.0
        return min(1.0, self.purchase / (organisations * weekly_cost) + grants)


def budget(cfg: GovernmentConfig, residents: int) -> Budget:
    public = cfg.budget * cfg.public_service_share * residents
    return Budget(
        public_service=public,
        purchase=public * cfg.purchase_share,
        resources_ratio=cfg.budget * cfg.public_service_share / cfg.reference_service,
    )


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
