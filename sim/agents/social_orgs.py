"""Social organisations (社会组织): hubs (union, youth league, women's federation: 'bridge,
lead and platform'), social groups (社会团体) and private non-enterprise units (民办非企业)."""

from __future__ import annotations

import numpy as np

from sim.agents.institution import Institution

KINDS: tuple[str, ...] = ("hub", "group", "pnu")


class SocialOrg(Institution):
    """An organisation of a community (a hub: of a street). It recruited `members` there at
    founding and tied them in a ring (`ties`, which end with it); it `serve`s its community
    with `capacity` (its members relative to an average organisation), and a mediating
    private non-enterprise unit lends `mediators` to the community's people's mediation."""

    def __init__(
        self,
        model: object,
        kind: str,
        unit: int,
        street: int,
        founded: int,
        members: np.ndarray,
        ties: np.ndarray,
        mediators: float = 0.0,
        mean_members: float = 1.0,
    ) -> None:
        level = "street" if kind == "hub" else "community"
        community = None if kind == "hub" else unit
        super().__init__(model, unit, level, community)  # type: ignore[arg-type]
        self.kind = kind
        self.street = street
        self.founded = founded
        self.members = members
        self.ties = ties
        self.mediating = mediators > 0
        self.mediators = mediators
        self.capacity = len(members) / mean_members if mean_members > 0 else 1.0

    def serve(self) -> float:
        """Service capacity it offers its community (before funding)."""
        return self.capacity

    def state(self) -> dict[str, object]:
        out = super().state()
        out["members"] = len(self.members)
        return out
