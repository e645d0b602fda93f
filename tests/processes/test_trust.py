"""The `trust` process on small worlds: the direction of each effect (same seed, one lever)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.compose import load_config
from sim.network import freeze
from sim.population import INSTITUTIONS
from sim.processes import trust
from sim.processes.trust import Online


def test_spread_moves_trust_toward_neighbours(model) -> None:
    """A path 0-1-2: the middle resident moves toward the mean of its two ties."""
    m = model(**{"steps": 1})
    graph = freeze(3, np.array([[0, 1], [1, 2]]))
    ties = trust.Ties(graph)
    pop = m.pop
    sub = type(pop)(
        **{
            f: getattr(pop, f)[:3].copy()
            for f in (
                "household",
                "building",
                "courtyard",
                "community",
                "street",
                "age",
                "party",
                "floating",
                "propensity",
                "grievance",
            )
        },
        trust={k: np.array([0.0, 0.5, 1.0], np.float32) for k in INSTITUTIONS},
    )
    sub.grievance[:] = np.array([0.1, 0.1, 0.9], np.float32)
    cfg = load_config("chengdu_2014").trust
    peer = trust.spread(sub, ties, cfg, np.ones(3, np.float32), np.array([1, 0, 0], np.float32))
    assert sub.trust["party"][1] == pytest.approx(0.5)  # mean of 0 and 1 is 0.5: unchanged
    assert sub.trust["party"][0] == pytest.approx(cfg.diffusion * 0.5)
    assert sub.grievance[1] == pytest.approx(0.1 + cfg.grievance_diffusion * (0.5 - 0.1))
    assert peer.tolist() == pytest.approx([0.0, 0.5, 0.0])


def test_replacing_extra_ties_renormalises_as_a_fresh_build() -> None:
    """Ties renormalise only the rows whose degree changed; the matrices must equal those
    built from scratch with the same extra ties, through any sequence of replacements."""
    rng = np.random.default_rng(3)
    n = 60
    graph = freeze(n, rng.integers(0, n, size=(150, 2)))
    ties = trust.Ties(graph)
    x = rng.random((n, 3)).astype(np.float32)
    for _ in range(4):
        edges = rng.integers(0, n, size=(int(rng.integers(0, 25)), 2))
        ties.set_extra(edges)
        fresh = trust.Ties(graph)
        fresh.set_extra(edges)
        assert np.array_equal(ties.base.data, fresh.base.data)
        assert np.array_equal(ties.degree, fresh.degree)
        assert np.array_equal(ties.neighbour_mean(x), fresh.neighbour_mean(x))


def test_online_monitoring_relieves_grievance(model, run_for) -> None:
    over = {"steps": 30, "trust.online_share": 1.0, "world.initial_grievance": 0.6}
    on = run_for(model(**over, **{"policy.online.monitoring": 1.0}), 30)
    off = run_for(model(**over, **{"policy.online.monitoring": 0.0}), 30)
    assert off.process(Online).total.warnings == 0 < on.process(Online).total.warnings
    assert on.pop.grievance.mean() < off.pop.grievance.mean()


def test_online_monitoring_finds_festering_disputes_of_online_residents(model, run_for) -> None:
    over = {"steps": 40, "policy.online.monitoring": 1.0, "policy.online.posting": 1.0}
    m = run_for(model(**over), 40)
    by = m.ledger.frame()["detected_by"].astype(str)
    online = by == "online"
    assert online.any()
    assert m.pop.online[m.ledger.initiator[online.to_numpy()]].all()
    off = run_for(model(**{**over, "policy.online.monitoring": 0.0}), 40)
    assert not (off.ledger.frame()["detected_by"].astype(str) == "online").any()
