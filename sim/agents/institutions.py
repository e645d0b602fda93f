"""Institutions: ordinary Mesa agents attached to units of the world.

They are few (thousands), so they are plain agents. The vectorised processes read their
presence and capacity; their own `step` is a no-op unless a mechanism needs one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.config import GRAND_CENTRES

if TYPE_CHECKING:
    from sim.model import GovernanceModel


class Institution(mesa.Agent):
    """An institution at `level` ('building', 'courtyard', 'community', 'street', 'city')."""

    level: str = "city"

    def __init__(self, model: GovernanceModel, unit: int, level: str | None = None) -> None:
        super().__init__(model)
        self.unit = unit
        if level is not None:
            self.level = level


class PartyBranch(Institution):
    """Community party committee, courtyard branch or building group (seed: 党建全覆盖)."""


class ResidentsCommittee(Institution):
    level = "community"


class ServiceStation(Institution):
    """Community public service station (公共服务站)."""

    level = "community"


class MediationCommittee(Institution):
    """People's mediation at courtyard or community level; `servers` mediators."""

    def __init__(self, model: GovernanceModel, unit: int, level: str, servers: int) -> None:
        super().__init__(model, unit, level)
        self.servers = servers


class GrandMediationCentre(Institution):
    """One of the city's five people's-mediation centres of grand mediation (大调解, from
    2009): at the judicial bureau, legal affairs office, intermediate court, public security
    bureau or petition bureau (`GRAND_CENTRES[unit]`)."""

    level = "city"

    def __init__(self, model: GovernanceModel, unit: int, servers: int) -> None:
        super().__init__(model, unit)
        self.name = GRAND_CENTRES[unit]
        self.servers = servers


class Court(Institution):
    def __init__(self, model: GovernanceModel, judges: int) -> None:
        super().__init__(model, 0)
        self.servers = judges


class PetitionOffice(Institution):
    def __init__(self, model: GovernanceModel, officers: int) -> None:
        super().__init__(model, 0)
        self.servers = officers


class GridWorker(Institution):
    """A grid worker assigned to a community (网格化管理)."""

    level = "community"
