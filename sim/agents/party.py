"""Party organisation at three levels (seed: 党建全覆盖: community party committee or
general branch, courtyard branch, building (unit) branch or group): it leads, organises and
supervises."""

from __future__ import annotations

from sim.agents.institution import Institution


class PartyBranch(Institution):
    """A branch at community, courtyard or building level.

    A building group `detect`s disputes early with chance `detection` and `mobilise`s its
    residents to take part (`mobilisation`, logit); a courtyard or community branch
    `steer`s the council of its unit (`steering`, logit on carrying decisions out)."""

    def __init__(
        self,
        model: object,
        unit: int,
        level: str,
        community: int,
        detection: float = 0.0,
        mobilisation: float = 0.0,
        steering: float = 0.0,
    ) -> None:
        super().__init__(model, unit, level, community)  # type: ignore[arg-type]
        self.detection = detection
        self.mobilisation = mobilisation
        self.steering = steering

    def detect(self) -> float:
        """Chance this building's group catches a dispute of one of its residents early."""
        return self.detection

    def mobilise(self) -> float:
        """Participation log-odds this group adds for its building's residents."""
        return self.mobilisation

    def steer(self) -> float:
        """Log-odds this branch adds to carrying out its council's decisions."""
        return self.steering
