"""The `floating` process on small worlds: the direction of each effect (same seed, one lever)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.processes.floating import FloatingManagement


def test_key_persons_are_the_most_aggrieved_managed_floating_residents(model, run_for) -> None:
    m = model(**{"steps": 2, "policy.floating.key_share": 0.2})
    management = m.process(FloatingManagement)
    managed = m.floating_idx[management.managed(m.floating_idx)]
    before = m.pop.grievance[managed].copy()
    tally = management.step(m, 0)
    assert tally.key / len(managed) == pytest.approx(0.2, abs=0.02)
    assert (before[before >= management.risk_levels[0]] >= np.quantile(before, 0.79)).all()
    off = run_for(model(**{"steps": 2, "policy.floating.classified": False}), 1)
    assert off.process(FloatingManagement).extra_detection(off.floating_idx) is None
