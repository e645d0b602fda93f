"""The street office (街道办事处) and its budget (seed: 职能归位, economic functions stripped
off, work refocused on public service and social management)."""

from __future__ import annotations

from sim.agents.institution import Institution


class StreetOffice(Institution):
    """A street office: `budget` yuan a week, of which `public_service` goes to public
    service and social management and `purchase` buys services from social organisations."""

    level = "street"

    def __init__(
        self, model: object, unit: int, budget: float, public_service: float, purchase: float
    ) -> None:
        super().__init__(model, unit, "street", None)  # type: ignore[arg-type]
        self.budget = budget
        self.public_service = public_service
        self.purchase = purchase
