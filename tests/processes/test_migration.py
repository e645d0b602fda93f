"""The `migration` process on small worlds: the direction of each effect (same seed, one lever)."""

from __future__ import annotations


def test_classified_management_registers_newcomers_sooner(model, run_for) -> None:
    over = {"steps": 40, "migration.turnover": 0.02, "world.floating_share": 0.5}
    managed = run_for(model(**over, **{"policy.floating.classified": True}), 40)
    unmanaged = run_for(model(**over, **{"policy.floating.classified": False}), 40)
    unregistered = lambda m: int((~m.pop.registered).sum())  # noqa: E731
    assert managed.steps == unmanaged.steps == 40
    assert unregistered(managed) < unregistered(unmanaged)


def test_turnover_replaces_floating_residents_only(model, run_for) -> None:
    m = model(**{"steps": 10, "migration.turnover": 0.05})
    before = m.pop.arrival.copy()
    run_for(m, 10)
    renewed = m.pop.arrival != before
    assert renewed.any()
    assert m.pop.floating[renewed].all()
    assert m.pop.n == len(before)
