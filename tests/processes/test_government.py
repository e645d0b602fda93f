"""The `government` process on small worlds: the direction of each effect (same seed, one lever)."""

from __future__ import annotations

from sim.processes.government import Government


def test_government_cost_is_booked_every_week(model, run_for) -> None:
    m = run_for(model(**{"steps": 5}), 5)
    assert m.process(Government).total.cost > 0
    assert m.process(Government).tally.cost > 0
